package paydunya_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/paydunya"
)

// ipn is the guide's IPN example, form-encoded as PHP's http_build_query
// writes it, with the hash of masterKey and one invoice token.
func ipn(edits ...string) string {
	pairs := [][2]string{
		{"data[response_code]", "00"},
		{"data[response_text]", "Transaction Found"},
		{"data[hash]", paydunya.Hash(masterKey)},
		{"data[invoice][token]", "test_jkEdPY8SuG"},
		{"data[invoice][items][item_0][name]", "Chaussures Croco"},
		{"data[invoice][items][item_0][quantity]", "3"},
		{"data[invoice][items][item_0][unit_price]", "10000"},
		{"data[invoice][items][item_0][total_price]", "30000"},
		{"data[invoice][items][item_0][description]", "Chaussures faites en peau de crocrodile authentique qui chasse la pauvreté"},
		{"data[invoice][taxes][tax_0][name]", "TVA (18%)"},
		{"data[invoice][taxes][tax_0][amount]", "6300"},
		{"data[invoice][total_amount]", "42300"},
		{"data[invoice][description]", "Paiement de 42300 FCFA pour article(s) achetés sur Magasin le Choco"},
		{"data[custom_data][categorie]", "Jeu concours"},
		{"data[custom_data][cauri_payment_id]", "pay_01"},
		{"data[actions][cancel_url]", "http://magasin-le-choco.com/cancel_url.aspx"},
		{"data[actions][callback_url]", "http://magasin-le-choco.com/callback_url.aspx"},
		{"data[actions][return_url]", "http://magasin-le-choco.com/return_url.aspx"},
		{"data[mode]", "test"},
		{"data[status]", "completed"},
		{"data[customer][name]", "Alioune Faye"},
		{"data[customer][phone]", "774563209"},
		{"data[customer][email]", "aliounefaye@gmail.com"},
		{"data[receipt_url]", "https://paydunya.com/sandbox-checkout/receipt/pdf/test_jkEdPY8SuG.pdf"},
	}
	// edits are key=value pairs: a new value, "-" to drop the key, or a new
	// key appended.
	for _, e := range edits {
		k, v, _ := strings.Cut(e, "=")
		found := false
		for i := range pairs {
			if pairs[i][0] == k {
				found = true
				if v == "-" {
					pairs = append(pairs[:i], pairs[i+1:]...)
				} else {
					pairs[i][1] = v
				}
				break
			}
		}
		if !found {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
	}
	return b.String()
}

func ipnRequest(body string) *http.Request {
	return clienttest.WebhookRequest("/pay/webhooks/paydunya/pay_01/tok", "application/x-www-form-urlencoded", body)
}

func TestHash(t *testing.T) {
	t.Parallel()
	h := paydunya.Hash("k")
	if len(h) != 128 || strings.ToLower(h) != h || h == paydunya.Hash("k2") {
		t.Errorf("Hash = %s", h)
	}
	for _, v := range []string{h, strings.ToUpper(h), " " + h + "\n"} {
		if err := paydunya.VerifyHash(v, "k"); err != nil {
			t.Errorf("VerifyHash(%q): %v", v, err)
		}
	}
	if err := paydunya.VerifyHash("", "k"); !errors.Is(err, paydunya.ErrNoHash) {
		t.Errorf("empty: %v", err)
	}
	for _, v := range []string{paydunya.Hash("k2"), h[:127], h + "0", "k"} {
		if err := paydunya.VerifyHash(v, "k"); !errors.Is(err, paydunya.ErrBadHash) {
			t.Errorf("VerifyHash(%q): %v", v, err)
		}
	}
	clienttest.CheckUnauthenticated(t, paydunya.ErrNoHash, paydunya.ErrBadHash)
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	paid := cauri.Update{PaymentID: "pay_01", ProviderRef: "test_jkEdPY8SuG", Status: cauri.StatusPaid, RawStatus: "completed",
		Amount: 42300, Currency: "XOF", EventID: "test_jkEdPY8SuG:completed"}
	tests := []struct {
		name string
		body string
		live bool
		want cauri.Update
		err  error
	}{
		{name: "the guide's example", body: ipn(), want: paid},
		{name: "upper-case hash", body: ipn("data[hash]=" + strings.ToUpper(paydunya.Hash(masterKey))), want: paid},
		{name: "hash repeated identically", body: ipn() + "&" + url.QueryEscape("data[hash]") + "=" + paydunya.Hash(masterKey), want: paid},
		{name: "amount with zero decimals", body: ipn("data[invoice][total_amount]=42300.00"), want: paid},
		{name: "failed", body: ipn("data[status]=failed", "data[fail_reason]=Carte refusée"),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "test_jkEdPY8SuG", Status: cauri.StatusFailed, RawStatus: "failed",
				Amount: 42300, Currency: "XOF", FailureReason: "Carte refusée", EventID: "test_jkEdPY8SuG:failed"}},
		{name: "cancelled", body: ipn("data[status]=cancelled"),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "test_jkEdPY8SuG", Status: cauri.StatusCancelled, RawStatus: "cancelled",
				Amount: 42300, Currency: "XOF", EventID: "test_jkEdPY8SuG:cancelled"}},
		{name: "unknown status", body: ipn("data[status]=refunded"),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "test_jkEdPY8SuG", Status: cauri.StatusPending, RawStatus: "refunded",
				Amount: 42300, Currency: "XOF", EventID: "test_jkEdPY8SuG:refunded"}},
		{name: "minimal", body: "data%5Bhash%5D=" + paydunya.Hash(masterKey) + "&data%5Bstatus%5D=completed&data%5Binvoice%5D%5Btoken%5D=t1",
			want: cauri.Update{ProviderRef: "t1", Status: cauri.StatusPaid, RawStatus: "completed", EventID: "t1:completed"}},
		{name: "unescaped brackets", body: "data[hash]=" + paydunya.Hash(masterKey) + "&data[status]=pending&data[invoice][token]=t1",
			want: cauri.Update{ProviderRef: "t1", Status: cauri.StatusPending, RawStatus: "pending", EventID: "t1:pending"}},
		{name: "live IPN to a live provider", live: true, body: ipn("data[mode]=live", "data[invoice][token]=jkEdPY8SuG"),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "jkEdPY8SuG", Status: cauri.StatusPaid, RawStatus: "completed",
				Amount: 42300, Currency: "XOF", EventID: "jkEdPY8SuG:completed"}},

		{name: "no hash", body: ipn("data[hash]=-"), err: paydunya.ErrNoHash},
		{name: "empty hash", body: ipn("data[hash]="), err: paydunya.ErrNoHash},
		{name: "another key's hash", body: ipn("data[hash]=" + paydunya.Hash("another-master-key")), err: paydunya.ErrBadHash},
		{name: "the master key itself", body: ipn("data[hash]=" + masterKey), err: paydunya.ErrBadHash},
		{name: "two different hashes", body: ipn() + "&" + url.QueryEscape("data[hash]") + "=" + paydunya.Hash("x"), err: paydunya.ErrBadHash},
		{name: "hash an object", body: ipn("data[hash]=-", "data[hash][0]="+paydunya.Hash(masterKey)), err: paydunya.ErrBadHash},
		{name: "hash outside data", body: "hash=" + paydunya.Hash(masterKey) + "&status=completed&token=t1", err: paydunya.ErrNoHash},
		{name: "JSON body", body: `{"data":{"hash":"` + paydunya.Hash(masterKey) + `","status":"completed"}}`, err: paydunya.ErrNoHash},
		{name: "empty body", body: ``, err: paydunya.ErrNoHash},

		{name: "sandbox IPN to a live provider", live: true, body: ipn(), err: cauri.ErrIgnoredEvent},
		{name: "live IPN to the sandbox", body: ipn("data[mode]=live"), err: cauri.ErrIgnoredEvent},

		{name: "no status", body: ipn("data[status]=-"), err: cauri.ErrMalformed},
		{name: "no token", body: ipn("data[invoice][token]=-"), err: cauri.ErrMalformed},
		{name: "two different tokens", body: ipn() + "&" + url.QueryEscape("data[invoice][token]") + "=test_Jh2T8skw1j", err: cauri.ErrMalformed},
		{name: "token with a space", body: ipn("data[invoice][token]=test jk"), err: cauri.ErrMalformed},
		{name: "token too long", body: ipn("data[invoice][token]=" + strings.Repeat("t", 129)), err: cauri.ErrMalformed},
		{name: "status an object", body: ipn("data[status]=-", "data[status][0]=completed"), err: cauri.ErrMalformed},
		{name: "invoice a value", body: ipn("data[invoice][token]=-", "data[invoice][items][item_0][name]=-",
			"data[invoice][items][item_0][quantity]=-", "data[invoice][items][item_0][unit_price]=-", "data[invoice][items][item_0][total_price]=-",
			"data[invoice][items][item_0][description]=-", "data[invoice][taxes][tax_0][name]=-", "data[invoice][taxes][tax_0][amount]=-",
			"data[invoice][total_amount]=-", "data[invoice][description]=-", "data[invoice]=test_jkEdPY8SuG"), err: cauri.ErrMalformed},
		{name: "bad amount", body: ipn("data[invoice][total_amount]=42 300"), err: cauri.ErrMalformed},
		{name: "negative amount", body: ipn("data[invoice][total_amount]=-42300"), err: cauri.ErrMalformed},
		{name: "decimal amount", body: ipn("data[invoice][total_amount]=42300.5"), err: cauri.ErrMalformed},
		{name: "unclosed bracket", body: ipn() + "&data%5Bstatus=completed", err: cauri.ErrMalformed},
		{name: "text after brackets", body: ipn() + "&data%5Bstatus%5Dx=completed", err: cauri.ErrMalformed},
		{name: "no key name", body: ipn() + "&%5Bstatus%5D=completed", err: cauri.ErrMalformed},
		{name: "too deep", body: ipn() + "&data" + strings.Repeat("%5Ba%5D", 9) + "=1", err: cauri.ErrMalformed},
		{name: "bad escape", body: ipn() + "&data%5Bx%5D=%zz", err: cauri.ErrMalformed},
		{name: "semicolon", body: ipn() + ";x=1", err: cauri.ErrMalformed},
		{name: "not UTF-8", body: ipn() + "&data%5Bx%5D=\xff", err: cauri.ErrMalformed},
	}
	sandbox := provider(t, config("https://app.paydunya.com/sandbox-api/v1"))
	liveCfg := config("")
	liveCfg.PrivateKey, liveCfg.Mode = "live_private_x", paydunya.Live
	live := provider(t, liveCfg)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := sandbox
			if tt.live {
				p = live
			}
			u, err := p.ParseWebhook(ipnRequest(tt.body), []byte(tt.body))
			clienttest.CheckUpdate(t, u, err, tt.want, tt.err, paydunya.Hash(masterKey), masterKey)
		})
	}
	// A nil request is fine: everything is in the body.
	if _, err := sandbox.ParseWebhook(nil, []byte(ipn())); err != nil {
		t.Errorf("nil request: %v", err)
	}
}

func FuzzParseWebhook(f *testing.F) {
	hash := paydunya.Hash(masterKey)
	seeds := []string{
		ipn(),
		ipn("data[status]=failed", "data[fail_reason]=Carte refusée"),
		ipn("data[status]=cancelled", "data[fail_reason]=Payment cancelled by customer"),
		ipn("data[status]=pending", "data[invoice][total_amount]=5000.00"),
		ipn("data[mode]=live"),
		ipn("data[invoice][total_amount]=1e400"),
		ipn("data[invoice][total_amount]=-1", "data[custom_data][cauri_payment_id][]=7"),
		ipn() + "&" + url.QueryEscape("data[invoice][token]") + "=test_Jh2T8skw1j",
		"data[hash]=" + hash + "&data[status]=completed&data[invoice][token]=t1",
		"data[hash]=" + hash + "&data[status][]=completed&data[invoice][token]=t1",
		"data[hash]=" + hash + "&data[status]=completed&data[invoice][token][a]=t1",
		"data[hash]=" + hash + "&data[]=x&data[][]=y&data[status]=completed",
		"data%5Bhash%5D=" + hash + "&data%5Bstatus=completed",
		`{"data":{"hash":"` + hash + `"}}`,
		"data[hash]=" + hash + "&data[status]=%00&data[invoice][token]=%ff",
		"=&&=&data=&data[=]",
		"", "&", "data", "data[hash]",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(strings.Replace(s, "data[hash]="+hash, "", 1)), true)
	}
	sandbox, err := paydunya.New(config(""))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, withHash bool) {
		if withHash {
			// Past the hash, so that mutations reach the rest.
			body = append([]byte("data%5Bhash%5D="+hash+"&"), body...)
		}
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		u, err := sandbox.ParseWebhook(r, body)
		if err != nil {
			clienttest.CheckClassified(t, err, cauri.ErrUnauthenticated, cauri.ErrMalformed, cauri.ErrIgnoredEvent)
			return
		}
		if !u.Status.Valid() {
			t.Fatalf("invalid status %q", u.Status)
		}
		if u.Authenticated {
			t.Fatalf("an IPN counted as authenticated: %+v", u)
		}
		if u.ProviderRef == "" || u.EventID == "" || u.RawStatus == "" {
			t.Fatalf("no reference: %+v", u)
		}
		if (u.Currency == "" && u.Amount != 0) || (u.Currency != "" && u.Currency != "XOF") || u.Amount < 0 {
			t.Fatalf("money: %+v", u)
		}
		q, err := url.ParseQuery(string(body))
		if err != nil || paydunya.VerifyHash(q.Get("data[hash]"), masterKey) != nil {
			t.Fatalf("accepted without the master key's hash: %q", body)
		}
	})
}
