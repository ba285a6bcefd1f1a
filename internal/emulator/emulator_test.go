package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	fs := NewFaults(func(status int) (string, []byte) {
		return "application/json", []byte(`{"message":"injected"}`)
	})
	defer fs.Close()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux := http.NewServeMux()
	mux.Handle("/create", fs.Wrap(providertest.OpCreate, ok))
	mux.Handle("/status", fs.Wrap(providertest.OpStatus, ok))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path string) (int, string, string, error) {
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			return 0, "", "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Retry-After"), string(b), nil
	}

	fs.Inject(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 1500 * time.Millisecond, Times: 2})
	fs.Inject(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 429})
	if n := fs.Pending(providertest.OpCreate); n != 2 {
		t.Fatalf("Pending = %d", n)
	}
	for i := range 2 {
		code, ra, body, err := get("/create")
		if err != nil || code != 503 || ra != "2" || body != `{"message":"injected"}` {
			t.Fatalf("call %d: %d %q %q %v", i, code, ra, body, err)
		}
	}
	// The create faults are spent: OpAny's plays next, on whatever comes.
	if code, ra, _, _ := get("/status"); code != 429 || ra != "" {
		t.Fatalf("OpAny fault: %d %q", code, ra)
	}
	if code, _, body, _ := get("/create"); code != 200 || body != "ok" {
		t.Fatalf("after faults: %d %q", code, body)
	}

	// A dropped connection.
	// (On a fresh connection: Go's transport silently retries an idempotent
	// request once when a reused connection drops before any answer.)
	fs.Inject(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultDrop})
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := fresh.Get(srv.URL + "/status"); err == nil {
		res.Body.Close()
		t.Fatal("dropped connection: no error")
	}

	// A slow answer the client gives up on.
	fs.Inject(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Minute})
	c := &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := c.Get(srv.URL + "/status"); err == nil {
		t.Fatal("slow answer: no timeout")
	}
	// A short delay is waited out and then answered normally.
	fs.Inject(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultSlow, Delay: 50 * time.Millisecond})
	start := time.Now()
	if code, _, _, err := get("/status"); err != nil || code != 200 || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("slow answer: %d %v after %v", code, err, time.Since(start))
	}
}

// TestFaultLost: the handler runs in full, and the client gets no answer.
func TestFaultLost(t *testing.T) {
	t.Parallel()
	fs := NewFaults(nil)
	defer fs.Close()
	var handled atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) == "pay" {
			handled.Add(1)
		}
		_, _ = io.WriteString(w, "paid")
	})
	mux := http.NewServeMux()
	mux.Handle("/payout", fs.Wrap(providertest.OpPayout, h))
	mux.HandleFunc("/bare", func(w http.ResponseWriter, r *http.Request) {
		if fs.Intercept(w, r, providertest.OpAny) {
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(path string) (string, error) {
		res, err := srv.Client().Post(srv.URL+path, "text/plain", strings.NewReader("pay"))
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return string(b), err
	}

	fs.Inject(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultLost, Times: 2})
	for i := range 2 {
		if body, err := post("/payout"); err == nil {
			t.Fatalf("lost answer %d: got %q, want no answer", i, body)
		}
		if n := handled.Load(); n != int32(i+1) {
			t.Fatalf("lost answer %d: handled %d times, want %d", i, n, i+1)
		}
	}
	if body, err := post("/payout"); err != nil || body != "paid" || handled.Load() != 3 {
		t.Fatalf("after the faults: %q %v, handled %d", body, err, handled.Load())
	}
	// With no handler to run, a lost answer is a dropped connection.
	fs.Inject(providertest.OpAny, providertest.Fault{Kind: providertest.FaultLost})
	if body, err := post("/bare"); err == nil {
		t.Fatalf("bare lost answer: got %q", body)
	}
	if body, err := post("/bare"); err != nil || body != "ok" {
		t.Fatalf("bare after the fault: %q %v", body, err)
	}
}

func TestFaultsCloseEndsSlowAnswers(t *testing.T) {
	t.Parallel()
	fs := NewFaults(nil)
	srv := httptest.NewServer(fs.Wrap(providertest.OpAny, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	fs.Inject(providertest.OpAny, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		res, err := srv.Client().Get(srv.URL)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := fs.AwaitHeld(ctx, 1); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		fs.Close()
		srv.Close()
	}()
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("Close waited for the hour-long slow answer")
	}
	if err := <-done; err != nil {
		t.Fatalf("slow request: %v", err)
	}
	if _, ok := fs.Take(providertest.OpAny); ok {
		t.Fatal("closed injector still plays faults")
	}
}

// TestFaultsAwait: AwaitHeld returns once a slow fault holds a request,
// AwaitAnswered once the handler behind it has answered, here after the
// client gave up.
func TestFaultsAwait(t *testing.T) {
	t.Parallel()
	fs := NewFaults(nil)
	defer fs.Close()
	var answered atomic.Int32
	srv := httptest.NewServer(fs.Wrap(providertest.OpAny, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		answered.Add(1)
	})))
	defer srv.Close()

	gone, cancel := context.WithCancel(context.Background())
	if err := fs.AwaitHeld(gone, 0); err != nil {
		t.Fatalf("AwaitHeld(0) = %v", err)
	}
	cancel()
	if err := fs.AwaitHeld(gone, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("AwaitHeld with nothing held and the context over = %v, want context.Canceled", err)
	}

	fs.Inject(providertest.OpAny, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Hour})
	client, hangUp := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(client, http.MethodPost, srv.URL, strings.NewReader("body"))
		res, err := srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	wait, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	if err := fs.AwaitHeld(wait, 1); err != nil {
		t.Fatal(err)
	}
	if n := answered.Load(); n != 0 {
		t.Fatalf("the handler answered %d times while the request was held", n)
	}
	hangUp()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client gave up: %v", err)
	}
	if err := fs.AwaitAnswered(wait, 1); err != nil {
		t.Fatal(err)
	}
	if n := answered.Load(); n != 1 {
		t.Errorf("the handler answered %d times, want 1", n)
	}

	// Requests no slow fault held are not counted.
	if res, err := srv.Client().Get(srv.URL); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}
	fs.mu.Lock()
	held, got := fs.held, fs.answered
	fs.mu.Unlock()
	if held != 1 || got != 1 {
		t.Errorf("held %d, answered %d; want 1, 1", held, got)
	}
}

// receiver counts the webhooks it gets and answers with the codes given,
// then 200. arrived gets a value as each of the first webhooks arrives.
type receiver struct {
	mu      sync.Mutex
	codes   []int
	bodies  []string
	block   chan struct{}
	srv     *httptest.Server
	arrived chan struct{}
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	rc := &receiver{codes: codes, arrived: make(chan struct{}, 64)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, r.Header.Get("X-Sig")+":"+string(b))
		code := 200
		if len(rc.codes) > 0 {
			code, rc.codes = rc.codes[0], rc.codes[1:]
		}
		block := rc.block
		rc.mu.Unlock()
		select {
		case rc.arrived <- struct{}{}:
		default:
		}
		if block != nil {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) got() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...)
}

func note(url, body string) Notification {
	return Notification{URL: url, Header: http.Header{"X-Sig": {"s"}}, Body: []byte(body)}
}

func TestDispatcherDeliver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rc := newReceiver(t)
	d := NewDispatcher(DispatcherConfig{Agent: "Acme-Webhooks/1.0"})
	defer d.Close()

	if err := d.Deliver(ctx, note(rc.srv.URL, "one")); err != nil {
		t.Fatal(err)
	}
	if got := rc.got(); len(got) != 1 || got[0] != "s:one" {
		t.Fatalf("received %q", got)
	}
	if h := d.Deliveries()[0].Header; h.Get("User-Agent") != "Acme-Webhooks/1.0" || h.Get("Content-Type") != "application/json" {
		t.Errorf("header %v", h)
	}

	d.SetPolicy(providertest.WebhookPolicy{Copies: 3})
	if err := d.Deliver(ctx, note(rc.srv.URL, "dup")); err != nil {
		t.Fatal(err)
	}
	if got := rc.got(); len(got) != 4 {
		t.Fatalf("received %d, want 4", len(got))
	}

	d.SetPolicy(providertest.WebhookPolicy{Lost: true})
	_ = d.Deliver(ctx, note(rc.srv.URL, "lost"))
	if got := rc.got(); len(got) != 4 {
		t.Fatalf("lost one delivered")
	}

	ds := d.Deliveries()
	if len(ds) != 5 || !ds[4].Lost || !ds[0].OK() || ds[0].StatusCode != 200 || ds[0].Attempt != 1 {
		t.Fatalf("deliveries %+v", ds)
	}
	copies := map[int]bool{}
	for _, x := range ds[1:4] {
		copies[x.Copy] = true
	}
	if len(copies) != 3 {
		t.Fatalf("copies numbered %v", copies)
	}
}

func TestDispatcherHoldFlush(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rc := newReceiver(t)
	d := NewDispatcher(DispatcherConfig{})
	defer d.Close()
	d.SetPolicy(providertest.WebhookPolicy{Hold: true})
	for _, b := range []string{"a", "b", "c"} {
		if err := d.Deliver(ctx, note(rc.srv.URL, b)); err != nil {
			t.Fatal(err)
		}
	}
	if len(rc.got()) != 0 || d.Held() != 3 {
		t.Fatalf("held ones delivered early: %q", rc.got())
	}
	d.SetPolicy(providertest.WebhookPolicy{})
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rc.got(), ","); got != "s:a,s:b,s:c" {
		t.Fatalf("flushed %s", got)
	}
	if d.Held() != 0 {
		t.Fatal("still held")
	}
}

func TestDispatcherRetries(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 500, 302, 200)
	d := NewDispatcher(DispatcherConfig{Retries: 3, RetryDelay: time.Millisecond})
	defer d.Close()
	if err := d.Deliver(context.Background(), note(rc.srv.URL, "x")); err != nil {
		t.Fatal(err)
	}
	var codes []int
	for _, x := range d.Deliveries() {
		codes = append(codes, x.StatusCode)
	}
	if len(codes) != 3 || codes[0] != 500 || codes[1] != 302 || codes[2] != 200 {
		t.Fatalf("attempts answered %v", codes)
	}

	// Out of tries.
	rc2 := newReceiver(t, 500, 500, 500)
	d2 := NewDispatcher(DispatcherConfig{Retries: 2, RetryDelay: time.Millisecond})
	defer d2.Close()
	if err := d2.Deliver(context.Background(), note(rc2.srv.URL, "x")); err != nil {
		t.Fatal(err)
	}
	if ds := d2.Deliveries(); len(ds) != 3 || ds[2].Attempt != 3 || ds[2].OK() {
		t.Fatalf("deliveries %+v", ds)
	}

	// No retries, and nobody listening.
	d3 := NewDispatcher(DispatcherConfig{Retries: -1})
	defer d3.Close()
	_ = d3.Deliver(context.Background(), note("http://127.0.0.1:1/", "x"))
	if ds := d3.Deliveries(); len(ds) != 1 || ds[0].Err == nil || ds[0].StatusCode != 0 {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestDispatcherCloseStopsDeliveries(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	rc.block = make(chan struct{})
	defer close(rc.block)
	d := NewDispatcher(DispatcherConfig{Timeout: time.Hour})
	d.SetPolicy(providertest.WebhookPolicy{Copies: 2})
	errc := make(chan error, 1)
	go func() { errc <- d.Deliver(context.Background(), note(rc.srv.URL, "x")) }()
	for range 2 { // both copies are at the receiver, held there
		select {
		case <-rc.arrived:
		case <-time.After(time.Minute):
			t.Fatalf("%d of 2 copies delivered", len(rc.got()))
		}
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		d.Close()
	}()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("Close waited for the held deliveries' hour-long timeout")
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Deliver = %v, want ErrClosed", err)
	}
	if err := d.Deliver(context.Background(), note(rc.srv.URL, "x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Deliver after Close = %v", err)
	}
	if err := d.Flush(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Flush after Close = %v", err)
	}
}

func TestDispatcherContext(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	rc.block = make(chan struct{})
	defer close(rc.block)
	d := NewDispatcher(DispatcherConfig{})
	defer d.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Deliver(ctx, note(rc.srv.URL, "x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Deliver = %v", err)
	}
}

func TestSendOnce(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 401)
	d := NewDispatcher(DispatcherConfig{})
	defer d.Close()
	d.SetPolicy(providertest.WebhookPolicy{Lost: true, Copies: 5})
	code, err := d.SendOnce(context.Background(), note(rc.srv.URL, "forged"))
	if err != nil || code != 401 {
		t.Fatalf("SendOnce = %d, %v", code, err)
	}
	if ds := d.Deliveries(); len(ds) != 1 || !ds[0].Forged || ds[0].StatusCode != 401 {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestSignedHeader(t *testing.T) {
	t.Parallel()
	sign := func(secret string, body []byte) string { return secret + ":" + string(body) }
	if h := SignedHeader("x-sig", "k", []byte("b"), sign); h["X-Sig"][0] != "k:b" || len(h) != 1 {
		t.Errorf("signed %v", h)
	}
	if h := SignedHeader("X-Sig", "", []byte("b"), sign); h != nil {
		t.Errorf("unsigned %v", h)
	}
	if f := ForgedSecret("k"); !strings.HasPrefix(f, "forged-") || f == ForgedSecret("k") || ForgedSecret("") != "" {
		t.Errorf("forged secret %q", f)
	}
}

func TestCheckoutPageAndAct(t *testing.T) {
	t.Parallel()
	ops := []Operator{{Code: "wave_sn", Name: "Wave"}, {Code: "orange_sn", Name: "Orange Money"}}
	type press struct {
		a      providertest.Action
		choice Operator
		phone  string
	}
	pressed := make(chan press, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout/{id}", func(w http.ResponseWriter, r *http.Request) {
		WriteCheckoutPage(w, CheckoutPage{
			Brand:    Brand{Name: "Acme", Logo: "acme<pay>", Color: "#0b3d91", Accent: "#f39200", Lang: "fr"},
			Merchant: "Shop & Co", Amount: "5000 XOF",
			Description: `<script>alert("x")</script>`, ActionURL: "/checkout/" + r.PathValue("id"),
			Operators: ops,
			Customer:  PageCustomer{Phone: "+221 77 000 00 00"},
		})
	})
	mux.HandleFunc("POST /checkout/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		a, ok := ParseAction(r.PathValue("action"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.PathValue("id") == "settled" {
			WriteMessagePage(w, http.StatusConflict, "Already settled", "This payment is closed.")
			return
		}
		c := ReadChoice(r)
		pressed <- press{a, c.From(ops), c.Phone}
		http.Redirect(w, r, "https://shop.example/back?x=1", http.StatusSeeOther)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := srv.Client().Get(srv.URL + "/checkout/p1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(b)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{
		"<title>Acme checkout (emulator)</title>", `<html lang="fr">`, "acme&lt;pay&gt;", "--brand: #0b3d91", "--accent: #f39200",
		"Shop &amp; Co", "5000 XOF", "&lt;script&gt;", "Payer 5000 XOF", "Annuler le paiement",
		`<input type="radio" name="operator" value="wave_sn" checked> Wave`,
		`<input type="radio" name="operator" value="orange_sn"> Orange Money`,
		`name="customer_phone" type="tel" autocomplete="tel" value="&#43;221 77 000 00 00"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("description not escaped")
	}
	if strings.Contains(page, `name="customer_name"`) || strings.Contains(page, `name="customer_email"`) {
		t.Error("name or email fields without a name or email")
	}
	buttons := regexp.MustCompile(`formaction="([^"]+)"`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, m := range buttons {
		got = append(got, m[1])
	}
	if want := []string{"/checkout/p1/pay", "/checkout/p1/pay_later", "/checkout/p1/fail", "/checkout/p1/cancel"}; !slices.Equal(got, want) {
		t.Errorf("buttons %q, want %q", got, want)
	}

	for _, tt := range []struct {
		name string
		a    providertest.Action
		form url.Values
		want press
	}{
		{"defaults", providertest.Cancel, nil, press{providertest.Cancel, ops[0], ""}},
		{"chosen", providertest.Pay, url.Values{"operator": {"orange_sn"}, "customer_phone": {" +221 77 123 45 67 "}}, press{providertest.Pay, ops[1], "+221 77 123 45 67"}},
		{"unknown operator, no phone", providertest.PayLater, url.Values{"operator": {"bitcoin"}, "customer_phone": {"call me"}}, press{providertest.PayLater, ops[0], ""}},
	} {
		status, loc, err := Submit(context.Background(), nil, srv.URL+"/checkout/p1", tt.a, tt.form)
		if err != nil || status != http.StatusSeeOther || loc != "https://shop.example/back?x=1" {
			t.Fatalf("%s: Submit = %d %q, %v", tt.name, status, loc, err)
		}
		if p := <-pressed; p != tt.want {
			t.Errorf("%s: pressed %+v, want %+v", tt.name, p, tt.want)
		}
	}

	loc, err := Act(context.Background(), nil, srv.URL+"/checkout/p1", providertest.Cancel)
	if err != nil || loc != "https://shop.example/back?x=1" {
		t.Fatalf("Act = %q, %v", loc, err)
	}
	if p := <-pressed; p.a != providertest.Cancel {
		t.Errorf("Act pressed %v", p.a)
	}
	if _, err := Act(context.Background(), nil, srv.URL+"/checkout/settled", providertest.Pay); !errors.Is(err, ErrRefused) {
		t.Fatalf("Act on settled = %v", err)
	}
	if _, err := Act(context.Background(), nil, srv.URL+"/checkout/p1", "dance"); err == nil {
		t.Fatal("unknown action accepted")
	}
	if (Choice{Operator: "x"}).From(nil) != (Operator{}) {
		t.Error("a choice among no operators is not zero")
	}
}

// TestCheckoutPageButtons: a page offers the actions it is given, in
// order, in English unless told otherwise, with no operator choice when it
// has none.
func TestCheckoutPageButtons(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteCheckoutPage(rec, CheckoutPage{
		Brand: Brand{Name: "Acme"}, Amount: "100 XOF", ActionURL: "/c/1",
		Actions: []providertest.Action{providertest.Cancel, providertest.Pay},
	})
	page := rec.Body.String()
	buttons := regexp.MustCompile(`formaction="([^"]+)">([^<]+)<`).FindAllStringSubmatch(page, -1)
	if len(buttons) != 2 || buttons[0][1] != "/c/1/cancel" || buttons[0][2] != "Cancel the payment" ||
		buttons[1][1] != "/c/1/pay" || buttons[1][2] != "Pay 100 XOF" {
		t.Errorf("buttons %q", buttons)
	}
	if !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, `<span class="logo">Acme</span>`) ||
		strings.Contains(page, `name="operator"`) || !strings.Contains(page, `action="/c/1/cancel"`) {
		t.Errorf("page:\n%s", page)
	}
}

func TestCleanPhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"771234567": "771234567", " +225 07 01 02 03 04 ": "+225 07 01 02 03 04", "": "",
		"12345": "", "+2250701020304999999": "", "77-123-45": "", "2+21771234567": "", "<b>771234567</b>": "",
	} {
		if got := cleanPhone(in); got != want {
			t.Errorf("cleanPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLaterConfirm: Confirm settles at once and stops the delay; a delay
// that runs out settles by itself; Close stops the delays and ends the
// settlements in flight.
func TestLaterConfirm(t *testing.T) {
	t.Parallel()
	settled := make(chan string, 4)
	settle := func(_ context.Context, ref string) error {
		settled <- ref
		if ref == "gone" {
			return ErrNotWaiting
		}
		return nil
	}

	l := NewLater(time.Hour, settle)
	defer l.Close()
	l.Wait("a")
	if n := l.Pending(); n != 1 {
		t.Fatalf("pending = %d, want 1", n)
	}
	if err := l.Confirm(context.Background(), "a"); err != nil || <-settled != "a" {
		t.Fatalf("Confirm = %v", err)
	}
	if n := l.Pending(); n != 0 {
		t.Errorf("pending after Confirm = %d, want 0", n)
	}
	if err := l.Confirm(context.Background(), "gone"); !errors.Is(err, ErrNotWaiting) || <-settled != "gone" {
		t.Errorf("Confirm of a payment not waiting = %v", err)
	}

	// No delay: nothing happens by itself.
	manual := NewLater(0, settle)
	manual.Wait("b")
	if n := manual.Pending(); n != 0 || manual.Delay() != 0 {
		t.Errorf("a Later without delay runs %d timers, delay %v", n, manual.Delay())
	}
	manual.Close()

	// A short delay settles by itself.
	auto := NewLater(time.Millisecond, settle)
	defer auto.Close()
	auto.Wait("c")
	select {
	case ref := <-settled:
		if ref != "c" {
			t.Errorf("settled %q, want c", ref)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the delay never settled the payment")
	}

	// Close ends a settlement in flight, and stops waiting delays.
	started := make(chan struct{})
	blocking := NewLater(time.Millisecond, func(ctx context.Context, ref string) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	blocking.Wait("d")
	<-started
	blocking.Close()
	stopped := NewLater(time.Hour, settle)
	stopped.Wait("e")
	stopped.Close()
	if n := stopped.Pending(); n != 0 {
		t.Errorf("pending after Close = %d", n)
	}
	stopped.Wait("f")
	if n := stopped.Pending(); n != 0 {
		t.Errorf("Wait after Close started a delay")
	}
	select {
	case ref := <-settled:
		t.Errorf("settled %q after Close", ref)
	default:
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(UUID()) {
		t.Error("UUID shape")
	}
	if a, b := RandomHex(16), RandomHex(16); len(a) != 32 || a == b {
		t.Errorf("RandomHex %q %q", a, b)
	}
}

// TestSlowAnswerEndsWhenClientHangsUp: a slow answer to a request with a
// body stops waiting when the client gives up, and the handler still reads
// the whole body.
func TestSlowAnswerEndsWhenClientHangsUp(t *testing.T) {
	t.Parallel()
	fs := NewFaults(nil)
	got := make(chan string, 1)
	srv := httptest.NewServer(fs.Wrap(providertest.OpAny, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	})))
	defer srv.Close()
	defer fs.Close() // first: ends a wait that did not end, so that srv closes
	fs.Inject(providertest.OpAny, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Hour})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	if res, err := client.Post(srv.URL, "application/json", strings.NewReader(`{"event":"payment.success"}`)); err == nil {
		res.Body.Close()
		t.Fatal("the slow answer came in time")
	}
	select {
	case body := <-got:
		if body != `{"event":"payment.success"}` {
			t.Errorf("the handler read %q after the wait", body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the slow answer still waits after the client hung up")
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	body := Refusals{
		0:   {Code: "ERROR", Message: "Error"},
		429: {Code: "RATE_LIMITED", Message: "Slow down"},
	}.Body("application/json; charset=utf-8", func(status int, r Refusal) any {
		return map[string]any{"status": status, "code": r.Code, "message": r.Message}
	})
	for _, tt := range []struct {
		status int
		want   string
	}{
		{429, `{"code":"RATE_LIMITED","message":"Slow down","status":429}`},
		{503, `{"code":"ERROR","message":"Service Unavailable","status":503}`},
		{599, `{"code":"ERROR","message":"Error","status":599}`},
	} {
		if ctype, b := body(tt.status); ctype != "application/json; charset=utf-8" || string(b) != tt.want {
			t.Errorf("%d: %s %s", tt.status, ctype, b)
		}
	}
	if _, b := (Refusals{}).Body("", func(_ int, r Refusal) any { return r })(599); string(b) != `{"Code":"","Message":""}` {
		t.Errorf("no words: %s", b)
	}
}
