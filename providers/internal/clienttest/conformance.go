package clienttest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// Run runs the conformance checks against the provider f describes, each
// a parallel subtest: how its client maps its API's status words, how it
// classifies the faults of its API, its refusals of wrong credentials and
// unknown references, what its status lookup reports after each of the
// customer's actions, answers that are not what its API documents, and
// its reading of the notifications its emulator sends, and the secrecy of
// a reference that is the path of its hosted page.
func Run(t *testing.T, f Facts) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, Facts)
	}{
		{"CreateFaults", checkCreateFaults},
		{"StatusFaults", checkStatusFaults},
		{"WrongCredentials", checkWrongCredentials},
		{"StatusLookups", checkStatusLookups},
		{"Outcomes", checkOutcomes},
		{"AnswerForms", checkAnswerForms},
		{"Webhooks", checkWebhooks},
		{"RefKeptSecret", checkRefSecret},
		{"MapStatus", checkMapStatus},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, f)
		})
	}
}

// fault is one injected failure and how the client must report it.
type fault struct {
	name  string
	fault providertest.Fault
	// status and temporary are the *cauri.ProviderError's; retryAfter its
	// RetryAfter. With is set instead, the error wraps is and carries no
	// HTTP status.
	status     int
	temporary  bool
	retryAfter time.Duration
	is         error
	// cancel cancels the call's context rather than letting it expire.
	cancel bool
}

// faults is the error-classification table: every provider's client
// reports each of these API failures the same way.
var faults = []fault{
	{name: "429", fault: providertest.Fault{Kind: providertest.FaultStatus, Status: 429, RetryAfter: 3 * time.Second}, status: 429, temporary: true, retryAfter: 3 * time.Second},
	{name: "500", fault: providertest.Fault{Kind: providertest.FaultStatus, Status: 500, RetryAfter: 3 * time.Second}, status: 500, temporary: true, retryAfter: 3 * time.Second},
	{name: "502", fault: providertest.Fault{Kind: providertest.FaultStatus, Status: 502}, status: 502, temporary: true},
	{name: "503", fault: providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 3 * time.Second}, status: 503, temporary: true, retryAfter: 3 * time.Second},
	// Twice: a client may send an idempotent call again on a fresh
	// connection when a reused one drops.
	{name: "dropped", fault: providertest.Fault{Kind: providertest.FaultDrop, Times: 2}, status: 0, temporary: true},
	{name: "slow", fault: providertest.Fault{Kind: providertest.FaultSlow, Delay: timeout}, is: context.DeadlineExceeded, temporary: true},
	{name: "cancelled", fault: providertest.Fault{Kind: providertest.FaultSlow, Delay: timeout}, is: context.Canceled, cancel: true},
}

// callWithFault injects ft into op at em, then makes call with a context
// that expires (or is cancelled) while a slow fault holds it, and checks
// the error call returns.
func callWithFault(t *testing.T, f Facts, em Emulator, op providertest.Op, ft fault, call func(context.Context) error) {
	t.Helper()
	em.InjectFault(op, ft.fault)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if ft.fault.Kind == providertest.FaultSlow {
		// The call cannot be answered before the fault's delay, so a
		// short deadline always passes first, however loaded the
		// machine.
		var c context.CancelFunc
		if ft.cancel {
			time.AfterFunc(50*time.Millisecond, cancel)
		} else {
			ctx, c = context.WithTimeout(ctx, 100*time.Millisecond)
			defer c()
		}
	}
	err := call(ctx)
	if ft.is != nil {
		if !errors.Is(err, ft.is) || cauri.IsTemporary(err) != ft.temporary {
			t.Errorf("err %v: want %v, temporary %v", err, ft.is, ft.temporary)
		}
	} else {
		pe := ProviderError(t, f.Name, err, ft.status, ft.temporary)
		if pe.RetryAfter != ft.retryAfter {
			t.Errorf("RetryAfter %v, want %v", pe.RetryAfter, ft.retryAfter)
		}
		switch {
		case ft.status != 0 && pe.Message == "":
			t.Errorf("no message: %+v", pe)
		case f.FaultMessages[ft.status] != "" && pe.Message != f.FaultMessages[ft.status]:
			t.Errorf("message %q, want %q", pe.Message, f.FaultMessages[ft.status])
		}
	}
	if f.Refusal != nil && errors.Is(err, f.Refusal) {
		t.Errorf("err %v: a fault taken for a refusal", err)
	}
	noSecret(t, err, f.Secret(em))
}

func checkCreateFaults(t *testing.T, f Facts) {
	checkFaults(t, f, providertest.OpCreate, func(ctx context.Context, em Emulator, _ string) error {
		_, err := f.open(ctx, em, "pay_fault")
		return err
	})
}

func checkStatusFaults(t *testing.T, f Facts) {
	checkFaults(t, f, providertest.OpStatus, func(ctx context.Context, em Emulator, ref string) error {
		_, err := em.Provider().FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_fault", ProviderRef: ref, Amount: 5000, Currency: "XOF"})
		return err
	})
}

// checkFaults checks, for each of the faults, call to op at an emulator of
// its own, on which a checkout of ref is open when op is a status lookup.
func checkFaults(t *testing.T, f Facts, op providertest.Op, call func(ctx context.Context, em Emulator, ref string) error) {
	for _, ft := range faults {
		t.Run(ft.name, func(t *testing.T) {
			t.Parallel()
			em := f.New()
			defer em.Close()
			var ref string
			if op == providertest.OpStatus {
				co, err := f.open(context.Background(), em, "pay_fault")
				if err != nil {
					t.Fatal(err)
				}
				ref = co.ProviderRef
			}
			callWithFault(t, f, em, op, ft, func(ctx context.Context) error { return call(ctx, em, ref) })
		})
	}
}

func checkMapStatus(t *testing.T, f Facts) {
	CheckStatusWords(t, f.MapStatus, f.StatusWords, f.OtherWords...)
}

func checkWrongCredentials(t *testing.T, f Facts) {
	em := f.New()
	defer em.Close()
	ctx := context.Background()
	p, wrong := f.Refused(em)
	_, err := p.CreateCheckout(ctx, f.request("pay_auth"))
	checkFailure(t, f, "creation", err, f.AuthFailure)
	noSecret(t, err, wrong)
	if f.StatusAuthFailure == nil {
		return
	}
	co, err := f.open(ctx, em, "pay_auth")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_auth", ProviderRef: co.ProviderRef})
	checkFailure(t, f, "status", err, *f.StatusAuthFailure)
	noSecret(t, err, wrong)
}

func checkStatusLookups(t *testing.T, f Facts) {
	em := f.New()
	defer em.Close()
	ctx := context.Background()
	p := em.Provider()
	for _, ref := range []string{"", " "} {
		_, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref})
		if !errors.Is(err, cauri.ErrNotFound) || cauri.IsTemporary(err) {
			t.Errorf("ref %q: %v", ref, err)
		}
	}
	_, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_nope", ProviderRef: f.UnknownRef})
	want := f.NotFound
	if want.Is == nil {
		want.Is = cauri.ErrNotFound
	}
	checkFailure(t, f, "unknown ref", err, want)
}

// answer is one answer of a fake API and how the client must report it,
// whichever call it answers.
type answer struct {
	name       string
	status     int
	ctype      string
	header     map[string]string
	body       string
	want       Failure
	retryAfter time.Duration
	// text is a part the error's text must hold.
	text string
}

var answers = []answer{
	{name: "html 502", status: 502, ctype: "text/html", body: "<html><h1>502 Bad Gateway</h1></html>",
		want: Failure{Status: 502, Temporary: true, Message: "expected JSON, got text/html"}},
	{name: "html 200", status: 200, ctype: "text/html", body: "<html>login</html>",
		want: Failure{Status: 200, Is: cauri.ErrMalformed}, text: "expected JSON, got text/html"},
	{name: "503 with Retry-After", status: 503, ctype: "application/json", body: `{}`, header: map[string]string{"Retry-After": "2"},
		want: Failure{Status: 503, Temporary: true}, retryAfter: 2 * time.Second},
	{name: "array", status: 200, ctype: "application/json", body: `[]`, want: Failure{Status: 200, Is: cauri.ErrMalformed}},
	{name: "empty", status: 200, ctype: "application/json", body: ``, want: Failure{Status: 200, Is: cauri.ErrMalformed}},
}

func checkAnswerForms(t *testing.T, f Facts) {
	for _, a := range answers {
		for _, call := range []struct {
			name string
			do   func(context.Context, cauri.Provider) error
		}{
			{"create", func(ctx context.Context, p cauri.Provider) error {
				_, err := p.CreateCheckout(ctx, f.request("pay_01"))
				return err
			}},
			{"status", func(ctx context.Context, p cauri.Provider) error {
				_, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: "ref_01"})
				return err
			}},
		} {
			t.Run(call.name+"/"+a.name, func(t *testing.T) {
				t.Parallel()
				srv := NewFakeAPI(t, Answer{Status: a.status, Type: a.ctype, Header: a.header, Body: a.body})
				err := call.do(context.Background(), f.AtURL(srv.URL))
				pe := checkFailure(t, f, a.name, err, a.want)
				if pe != nil && pe.RetryAfter != a.retryAfter {
					t.Errorf("RetryAfter %v, want %v", pe.RetryAfter, a.retryAfter)
				}
				if a.text != "" && (err == nil || !strings.Contains(err.Error(), a.text)) {
					t.Errorf("err %v: want %q in it", err, a.text)
				}
			})
		}
	}
}

// checkFailure checks that err is the *cauri.ProviderError want describes
// and returns it; an empty want.Message is not checked.
func checkFailure(t *testing.T, f Facts, what string, err error, want Failure) *cauri.ProviderError {
	t.Helper()
	pe := ProviderError(t, f.Name, err, want.Status, want.Temporary)
	if want.Message != "" && pe.Message != want.Message {
		t.Errorf("%s: message %q, want %q", what, pe.Message, want.Message)
	}
	if want.Is != nil && !errors.Is(err, want.Is) {
		t.Errorf("%s: err %v, want %v", what, err, want.Is)
	}
	return pe
}

// noSecret fails when err's text quotes secret.
func noSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && secret != "" && strings.Contains(fmt.Sprint(err), secret) {
		t.Errorf("the error quotes a credential: %v", err)
	}
}
