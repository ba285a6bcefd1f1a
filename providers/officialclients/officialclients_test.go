package officialclients_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

const (
	// installTimeout bounds npm ci: a cold install downloads about 25
	// small packages.
	installTimeout = 3 * time.Minute
	// runTimeout bounds one client call against a loopback emulator.
	runTimeout = 30 * time.Second
	// stampFile, inside node_modules, holds the hash of the lock file it
	// was installed from.
	stampFile = ".cauri-lock-sha256"
)

var install struct {
	once       sync.Once
	node, skip string
}

// clients returns the node binary once testdata/node_modules matches the
// lock file, installing it if needed; it skips the test when node or npm
// is missing or the install fails.
func clients(t *testing.T) string {
	t.Helper()
	install.once.Do(func() { install.node, install.skip = installClients() })
	if install.skip != "" {
		t.Skip(install.skip)
	}
	return install.node
}

func installClients() (node, skip string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "node is not installed: the official npm clients cannot run"
	}
	var sum []byte
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			return "", "testdata/" + f + ": " + err.Error()
		}
		h := sha256.Sum256(b)
		sum = append(sum, h[:]...)
	}
	h := sha256.Sum256(sum)
	stamp := hex.EncodeToString(h[:])
	modules := filepath.Join("testdata", "node_modules")
	if b, err := os.ReadFile(filepath.Join(modules, stampFile)); err == nil && string(b) == stamp {
		return node, ""
	}

	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "npm is not installed and testdata/node_modules is missing or stale: the official npm clients cannot be installed"
	}
	// Installed beside, then moved in whole, so that a concurrent run or an
	// interrupted one never sees half a node_modules.
	tmp, err := os.MkdirTemp("testdata", ".npm-ci-")
	if err != nil {
		return "", "npm ci: " + err.Error()
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, _ := os.ReadFile(filepath.Join("testdata", f))
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
			return "", "npm ci: " + err.Error()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts",
		"--update-notifier=false", "--fetch-retries=1", "--fetch-retry-mintimeout=1000", "--fetch-retry-maxtimeout=5000",
		"--fetch-timeout=30000")
	cmd.Dir = tmp
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "npm ci could not install the official npm clients (no network?): " + err.Error() + "\n" + head(out, 600)
	}
	if err := os.WriteFile(filepath.Join(tmp, "node_modules", stampFile), []byte(stamp), 0o644); err != nil {
		return "", "npm ci: " + err.Error()
	}
	_ = os.RemoveAll(modules)
	if err := os.Rename(filepath.Join(tmp, "node_modules"), modules); err != nil {
		// Another run may have just put the same install in place.
		if b, rerr := os.ReadFile(filepath.Join(modules, stampFile)); rerr != nil || string(b) != stamp {
			return "", "npm ci: " + err.Error()
		}
	}
	return node, ""
}

// head is the first n bytes of npm's output, where it says what failed.
func head(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// output is what a script prints: the client's result, or the error it
// threw with the data it attached.
type output[R any] struct {
	OK        bool            `json:"ok"`
	Result    R               `json:"result"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
	Requested []string        `json:"requested"`
}

// run runs testdata/<script> with args and env added, and decodes its
// output.
func run[R any](t *testing.T, env []string, script string, args ...string) output[R] {
	t.Helper()
	node := clients(t)
	// Read here so that go test's cache knows the script.
	if _, err := os.ReadFile(filepath.Join("testdata", script)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s %s: %v\n%s%s", script, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	var out output[R]
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("node %s %s printed %q: %v\n%s", script, strings.Join(args, " "), stdout.Bytes(), err, stderr.Bytes())
	}
	return out
}

// receiver records the notifications posted to it.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, b)
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) received() [][]byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...)
}

// TestPayDunyaNodeSDK runs npm paydunya@1.0.12: create an invoice (which
// the SDK confirms at once), pay it on the emulator's page, confirm it
// from a fresh object, credit an account, and meet the emulator's
// refusals.
func TestPayDunyaNodeSDK(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, paydunyatest.New)
	ipn := newReceiver(t)
	keys := []string{
		"PAYDUNYA_MASTER_KEY=" + srv.MasterKey,
		"PAYDUNYA_PRIVATE_KEY=" + srv.Sandbox.PrivateKey,
		"PAYDUNYA_TOKEN=" + srv.Sandbox.Token,
	}

	type created struct {
		Token, URL, Status, ResponseText string
		TotalAmount                      json.Number
	}
	c := run[created](t, keys, "paydunya.cjs", srv.URL, "create", ipn.srv.URL+"/ipn")
	tok := c.Result.Token
	if !c.OK || !strings.HasPrefix(tok, "test_") || c.Result.URL != srv.URL+"/sandbox-checkout/invoice/"+tok ||
		c.Result.Status != "pending" || c.Result.ResponseText != "Transaction Found" || c.Result.TotalAmount != "5000" {
		t.Fatalf("create: %+v", c)
	}
	inv, _ := srv.Payment(tok)
	want := paydunyatest.Invoice{
		Token: tok, Mode: "test", Status: "pending", TotalAmount: 5000, Description: "Order 42",
		Items:      []paydunyatest.Item{{Name: "Pagne wax", Quantity: "2", UnitPrice: "2500", TotalPrice: "5000", Description: "Wax"}},
		Taxes:      []paydunyatest.Tax{{Name: "TVA (18%)", Amount: "0"}},
		Store:      paydunyatest.Store{Name: "Boutique Awa", Tagline: "Wax", PostalAddress: "Dakar", Phone: "338000000", WebsiteURL: "https://shop.example"},
		CustomData: map[string]string{"order_id": "42"},
		Actions: paydunyatest.Actions{ReturnURL: "https://shop.example/back", CancelURL: "https://shop.example/cancel",
			CallbackURL: ipn.srv.URL + "/ipn"},
		CreatedAt: inv.CreatedAt,
	}
	if !reflect.DeepEqual(inv, want) {
		t.Errorf("invoice\n got %+v\nwant %+v", inv, want)
	}
	var calls []string
	for _, r := range srv.Requests() {
		calls = append(calls, r.Method+" "+r.Path)
		if r.Header.Get("PAYDUNYA-MASTER-KEY") != srv.MasterKey || r.Header.Get("PAYDUNYA-TOKEN") != srv.Sandbox.Token {
			t.Errorf("%s %s without the keys: %v", r.Method, r.Path, r.Header)
		}
	}
	if want := []string{"POST /sandbox-api/v1/checkout-invoice/create", "GET /sandbox-api/v1/checkout-invoice/confirm/" + tok}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}

	back, err := srv.Act(t.Context(), c.Result.URL, providertest.Pay)
	if err != nil || back != "https://shop.example/back?token="+tok {
		t.Fatalf("pay: %q %v", back, err)
	}
	if got := ipn.received(); len(got) != 1 {
		t.Errorf("%d IPNs", len(got))
	} else if form, err := url.ParseQuery(string(got[0])); err != nil || form.Get("data[hash]") != srv.Hash() ||
		form.Get("data[status]") != "completed" || form.Get("data[invoice][token]") != tok {
		t.Errorf("IPN %s", got[0])
	}

	type confirmed struct {
		Status, ResponseText, ReceiptURL, ReceiptIdentifier, ProviderReference string
		TotalAmount                                                            json.Number
		Customer                                                               map[string]string
		CustomData                                                             map[string]string
	}
	f := run[confirmed](t, keys, "paydunya.cjs", srv.URL, "confirm", tok)
	if !f.OK || f.Result.Status != "completed" || f.Result.ResponseText != "Transaction Found" || f.Result.TotalAmount != "5000" ||
		f.Result.ReceiptURL != srv.URL+"/sandbox-checkout/receipt/pdf/"+tok+".pdf" ||
		f.Result.ReceiptIdentifier == "" || f.Result.ProviderReference == "" ||
		f.Result.Customer["name"] == "" || f.Result.Customer["phone"] == "" || f.Result.CustomData["order_id"] != "42" {
		t.Errorf("confirm: %+v", f)
	}

	type credited struct{ ResponseText, Description, TransactionID string }
	p := run[credited](t, keys, "paydunya.cjs", srv.URL, "credit", "771111111", "4500")
	if !p.OK || p.Result.TransactionID != "TEST000001" || p.Result.ResponseText != "Transaction completed successfully" ||
		!strings.HasPrefix(p.Result.Description, "Success! Amount of 4500 FCFA has been transfered to Sandbox Account") {
		t.Errorf("credit: %+v", p)
	}
	if pos := srv.Payouts(); len(pos) != 1 || pos[0].AccountAlias != "771111111" || pos[0].Amount != 4500 || pos[0].ResponseCode != "00" {
		t.Errorf("payouts %+v", pos)
	}

	// Refusals, as the SDK reports them: an error carrying the answer.
	type answer struct {
		Code string `json:"response_code"`
		Text string `json:"response_text"`
	}
	refused := func(name string, out output[json.RawMessage], code, text, message string) {
		t.Helper()
		var a answer
		if err := json.Unmarshal(out.Data, &a); err != nil || out.OK || a.Code != code || a.Text != text ||
			!strings.Contains(out.Error, message) {
			t.Errorf("%s: %+v (data %s)", name, out, out.Data)
		}
	}
	srv.RefuseAccount("770000000", "Account not found")
	refused("refused account", run[json.RawMessage](t, keys, "paydunya.cjs", srv.URL, "credit", "770000000", "100"),
		"1004", "Account not found", "Failed to credit account")
	wrong := []string{"PAYDUNYA_MASTER_KEY=wrong", keys[1], keys[2]}
	refused("wrong master key", run[json.RawMessage](t, wrong, "paydunya.cjs", srv.URL, "create", ""),
		"1001", "Invalid Masterkey Specified", "Failed to create invoice")
	refused("unknown invoice", run[json.RawMessage](t, keys, "paydunya.cjs", srv.URL, "confirm", "test_nope"),
		"1002", "Invoice Not Found", "Could not confirm invoice status")
}

// TestFusionPayNodeClient runs npm fusionpay@0.0.7 for MoneyFusion: ask
// for a payment at the merchant API URL, read its status, pay it on the
// emulator's page, read it again, and meet the emulator's refusals.
func TestFusionPayNodeClient(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, moneyfusiontest.New)
	hooks := newReceiver(t)

	type paid struct {
		Statut         bool
		Token, Message string
		URL            string
	}
	c := run[paid](t, nil, "fusionpay.cjs", srv.URL, "pay", srv.APIURL, hooks.srv.URL+"/hook")
	tok := c.Result.Token
	if !c.OK || !c.Result.Statut || tok == "" || c.Result.Message != "paiement en cours" ||
		!strings.HasPrefix(c.Result.URL, srv.URL+"/payment/"+tok+"/") || !reflect.DeepEqual(c.Requested, []string{srv.APIURL}) {
		t.Fatalf("pay: %+v", c)
	}
	p, _ := srv.Payment(tok)
	if p.TotalPrice != 5000 || p.NomClient != "Awa Diallo" || p.NumeroSend != "0701020304" ||
		p.ReturnURL != "https://shop.example/back" || p.WebhookURL != hooks.srv.URL+"/hook" ||
		!reflect.DeepEqual(p.Article, []map[string]any{{"Pagne wax": json.Number("3000")}, {"Panier": json.Number("2000")}}) ||
		!reflect.DeepEqual(p.PersonalInfo, []map[string]any{{"orderId": "42"}}) ||
		p.RequestHeader.Get("Content-Type") != "application/json" {
		t.Errorf("payment %+v", p)
	}

	type status struct {
		Statut  bool
		Message string
		Data    struct {
			TokenPay     string
			Statut       string
			Montant      int64
			Frais        int64
			PersonalInfo []map[string]any `json:"personal_Info"`
		}
	}
	statusURL := "https://www.pay.moneyfusion.net/paiementNotif/" + tok
	s := run[status](t, nil, "fusionpay.cjs", srv.URL, "status", tok)
	if !s.OK || !s.Result.Statut || s.Result.Message != "details paiement" || s.Result.Data.TokenPay != tok ||
		s.Result.Data.Statut != "pending" || !reflect.DeepEqual(s.Requested, []string{statusURL}) {
		t.Errorf("status before paying: %+v", s)
	}

	back, err := srv.Act(t.Context(), c.Result.URL, providertest.Pay)
	if err != nil || back != "https://shop.example/back?token="+tok {
		t.Fatalf("pay: %q %v", back, err)
	}
	var events []string
	for _, b := range hooks.received() {
		var n struct{ Event, TokenPay string }
		if err := json.Unmarshal(b, &n); err != nil || n.TokenPay != tok {
			t.Errorf("webhook %s", b)
		}
		events = append(events, n.Event)
	}
	if want := []string{"payin.session.pending", "payin.session.completed"}; !reflect.DeepEqual(events, want) {
		t.Errorf("webhooks %q, want %q", events, want)
	}

	s = run[status](t, nil, "fusionpay.cjs", srv.URL, "status", tok)
	if !s.OK || s.Result.Data.Statut != "paid" || s.Result.Data.Montant+s.Result.Data.Frais != 5000 || s.Result.Data.Frais <= 0 ||
		!reflect.DeepEqual(s.Result.Data.PersonalInfo, []map[string]any{{"orderId": "42"}}) {
		t.Errorf("status after paying: %+v", s)
	}

	// Refusals: the client throws the answer's text.
	if out := run[json.RawMessage](t, nil, "fusionpay.cjs", srv.URL, "pay", srv.URL+"/Autre/0123/pay/", ""); out.OK ||
		!strings.Contains(out.Error, "Marchand introuvable") {
		t.Errorf("unknown merchant: %+v", out)
	}
	if out := run[json.RawMessage](t, nil, "fusionpay.cjs", srv.URL, "status", "nope"); out.OK ||
		!strings.Contains(out.Error, "Paiement introuvable") {
		t.Errorf("unknown token: %+v", out)
	}
}
