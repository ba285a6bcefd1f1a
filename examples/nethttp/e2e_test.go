package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// The end-to-end test's variables.
const (
	// e2eChromiumVar names the Chrome or Chromium binary; empty means the
	// first of chromium, chromium-browser, google-chrome on PATH.
	e2eChromiumVar = "CAURI_E2E_CHROMIUM"
	// e2ePrometheusVar names the Prometheus binary; empty means
	// prometheus on PATH.
	e2ePrometheusVar = "CAURI_E2E_PROMETHEUS"
	// e2eScreenshotsVar names the folder for the screenshots; empty means
	// a new folder under the system's temporary directory, kept after the
	// test so that a person can look at them.
	e2eScreenshotsVar = "CAURI_E2E_SCREENSHOTS"
)

// Deadlines of the end-to-end test's steps.
const (
	buildTimeout = 5 * time.Minute  // go build of the shop, cold cache included
	startTimeout = 90 * time.Second // the shop's or the browser's start
	// browserStep bounds one page load, click or wait in the browser. It
	// is generous: on a loaded machine a webhook can miss the customer's
	// return, who then waits on /waiting, which polls every 2 s a status
	// endpoint that asks the provider at most every 10 s.
	browserStep    = 45 * time.Second
	scrapeTimeout  = 60 * time.Second // until Prometheus has every provider's series
	stopTimeout    = 20 * time.Second // a process' graceful stop, after which it is killed
	prometheusPoll = 250 * time.Millisecond
)

// TestEndToEnd builds the demo shop and starts it as a process on a free
// loopback port, with a SQLite file of its own and every provider on its
// emulator. Then a real headless Chromium buys through every provider,
// paying, failing, cancelling and paying later on the phone (the shop's
// pending page turning into its thank-you page once the emulated phone
// confirms), and a real Prometheus scrapes the shop's /metrics. At the
// end the shop gets SIGTERM and must exit 0.
//
// It skips when neither Chromium nor Prometheus is installed (on Debian:
// apt-get install chromium prometheus), and each part skips without its
// program; -short skips it all.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the end-to-end test builds the shop and runs Chromium and Prometheus")
	}
	chromium, chromiumErr := findProgram(e2eChromiumVar, "chromium", "chromium-browser", "google-chrome")
	prometheus, prometheusErr := findProgram(e2ePrometheusVar, "prometheus")
	if chromiumErr != nil && prometheusErr != nil {
		t.Skipf("the end-to-end test needs Chromium or Prometheus (apt-get install chromium prometheus): %v; %v", chromiumErr, prometheusErr)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the end-to-end test builds the shop with the go command, which is not on PATH: %v", err)
	}

	shop := startShopProcess(t, buildShop(t, goBin))
	t.Run("browser", func(t *testing.T) {
		if chromiumErr != nil {
			t.Skipf("no Chromium (apt-get install chromium, or set %s): %v", e2eChromiumVar, chromiumErr)
		}
		testBrowser(t, shop, chromium)
	})
	t.Run("prometheus", func(t *testing.T) {
		if prometheusErr != nil {
			t.Skipf("no Prometheus (apt-get install prometheus, or set %s): %v", e2ePrometheusVar, prometheusErr)
		}
		testPrometheus(t, shop, prometheus)
	})
	if err := shop.stop(); err != nil {
		t.Errorf("the shop after SIGTERM: %v\n%s", err, shop.logTail())
	}
}

// findProgram returns the program named by the variable env, else the
// first of names on PATH.
func findProgram(env string, names ...string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return exec.LookPath(p)
	}
	var errs []error
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

// raceEnabled reports whether this test binary was built with -race: the
// shop is then built with it too, which reuses the build cache and checks
// the shop's process for races as well.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// buildShop builds this package's command into a temporary folder and
// returns the binary's path.
func buildShop(t *testing.T, goBin string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), buildTimeout)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "cauri-demo")
	args := []string{"build", "-o", bin}
	if raceEnabled() {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, goBin, append(args, ".")...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("built the shop in %v (go %s .)", time.Since(start).Round(time.Millisecond), strings.Join(args, " "))
	return bin
}

// shopProcess is the demo shop running as a process.
type shopProcess struct {
	url     string // http://127.0.0.1:port, without a trailing slash
	cmd     *exec.Cmd
	done    chan struct{} // closed once the process exited
	waitErr error         // its exit, once done is closed
	logPath string        // its standard error: the shop's logs
}

// shopEnvVars are the variables the shop reads: the test's environment
// passes none of them on, so that a developer's keys never make it live.
func shopEnvVars() []string {
	vars := []string{"ADDR", "PUBLIC_URL", "CAURI_SECRET", "DATABASE_URL", "ADMIN_PASSWORD", providersVar}
	for _, sp := range providerSpecs() {
		vars = append(vars, sp.vars()...)
	}
	return vars
}

// startShopProcess starts the shop at bin on a free loopback port, with a
// new SQLite file, and waits for its start line. The process is stopped
// when t ends, if it still runs.
func startShopProcess(t *testing.T, bin string) *shopProcess {
	t.Helper()
	dir := t.TempDir()
	own := shopEnvVars()
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(own, k)
	})
	env = append(env, "ADDR=127.0.0.1:0", "DATABASE_URL=sqlite://"+filepath.Join(dir, "e2e.db"), "ADMIN_PASSWORD="+e2eAdminPassword)

	logFile, err := os.Create(filepath.Join(dir, "shop.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own copy
	cmd := exec.Command(bin)
	cmd.Dir, cmd.Env, cmd.Stderr = dir, env, logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &shopProcess{cmd: cmd, done: make(chan struct{}), logPath: logFile.Name()}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Logf("stopping the shop: %v", err)
		}
	})

	var line string
	select {
	case line = <-lines:
	case <-time.After(startTimeout):
		t.Fatalf("the shop printed no start line within %v\n%s", startTimeout, p.logTail())
	}
	m := regexp.MustCompile(`^cauri demo shop: open (http://127\.0\.0\.1:\d+)/ \(`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("the shop's start line: %q\n%s", line, p.logTail())
	}
	p.url = m[1]
	t.Logf("the shop runs at %s (pid %d, logs in %s)", p.url, cmd.Process.Pid, p.logPath)
	return p
}

// stop sends the shop SIGTERM and waits for it to exit, killing it after
// stopTimeout. It returns its exit error: nil for a graceful exit 0.
func (p *shopProcess) stop() error {
	select {
	case <-p.done:
		return p.waitErr
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.waitErr
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("still running %v after SIGTERM: killed", stopTimeout)
	}
}

// logTail returns the end of the shop's logs, for failure messages.
func (p *shopProcess) logTail() string { return fileTail(p.logPath) }

// fileTail returns the last 4 KiB of the file at path.
func fileTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(b)
}

// screenshotDir returns the folder for the screenshots.
func screenshotDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv(e2eScreenshotsVar); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir, err := os.MkdirTemp("", "cauri-e2e-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// testBrowser drives headless Chromium through every provider's pay,
// fail, cancel and pay later, checking what each page shows, and writes
// screenshots: of the shop's pages, and of each provider's page as it
// opens (provider-<name>) and with a means of payment chosen
// (provider-<name>-chosen).
func testBrowser(t *testing.T, shop *shopProcess, chromium string) {
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	)
	defer cancelAlloc() // stops the browser and waits for it
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first run starts the browser and must not have a deadline of its
	// own, which would end the browser with it: a watchdog bounds it.
	watchdog := time.AfterFunc(startTimeout, cancel)
	err := chromedp.Do(ctx, chromedp.Navigate("about:blank"))
	if !watchdog.Stop() {
		t.Fatalf("Chromium did not start within %v: %v", startTimeout, err)
	}
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}

	shots := screenshotDir(t)
	var taken []string
	// shoot writes a screenshot of the page in the browser the first time
	// it is called with name.
	shoot := func(t *testing.T, name string) {
		t.Helper()
		p := filepath.Join(shots, name+".png")
		if slices.Contains(taken, p) {
			return
		}
		png := browserRun(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		taken = append(taken, p)
	}
	defer func() {
		for _, p := range taken {
			t.Logf("screenshot: %s", p)
		}
	}()

	for _, f := range flows() {
		t.Run(f.provider+"/"+string(f.action), func(t *testing.T) {
			testBrowserFlow(t, ctx, shop, f, func(page string) { shoot(t, page) })
		})
	}
	for _, p := range allProviders {
		t.Run(p+"/"+string(providertest.PayLater), func(t *testing.T) {
			testBrowserPayLater(t, ctx, shop, p, func(page string) { shoot(t, page) })
		})
	}
	browserDo(t, ctx, "open the orders", chromedp.Navigate(shop.url+"/orders"), chromedp.WaitVisible(chromedp.CSS("table")))
	rows := browserRun(t, ctx, "count the orders", chromedp.Evaluate[int](`document.querySelectorAll("tr[data-order]").length`))
	if want := len(flows()) + len(allProviders); rows != want {
		t.Errorf("/orders lists %d orders, want %d", rows, want)
	}
	shoot(t, "shop-orders")
	t.Run("admin", func(t *testing.T) { testBrowserAdmin(t, ctx, shop, shots) })
}

// e2eAdminPassword is the shop's ADMIN_PASSWORD in the end-to-end test.
const e2eAdminPassword = "e2e-admin-password"

// adminGet asks the shop's console for JSON, with the operator's
// credentials.
func adminGet(t *testing.T, shop *shopProcess, path string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, shop.url+"/admin"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("e2e-operator", e2eAdminPassword)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin%s: HTTP %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// testBrowserAdmin checks the console at /admin: closed without
// credentials; with them, in a tab of its own, the list shows the paid
// payments the flows made and a pending one, whose page shows its history
// and re-checks it with the provider, once, then says its turn has not
// come. It writes screenshots admin-list and admin-payment.
func testBrowserAdmin(t *testing.T, ctx context.Context, shop *shopProcess, shots string) {
	// Without credentials: 401, a challenge, and nothing of the payments.
	res, err := http.Get(shop.url + "/admin/?status=paid")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic ") ||
		strings.Contains(string(body), "pay_") || strings.Contains(string(body), "<table") {
		t.Errorf("/admin without credentials: HTTP %d, WWW-Authenticate %q:\n%s", res.StatusCode, res.Header.Get("WWW-Authenticate"), body)
	}

	// A pending payment: checked out, never paid.
	ref := newOrderRef()
	client := &http.Client{Timeout: browserStep, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = client.PostForm(shop.url+"/pay/checkout/moneroo", buy(ref))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var pending struct {
		Payments []cauri.AdminPayment `json:"payments"`
	}
	adminGet(t, shop, "/?q="+ref, &pending)
	if len(pending.Payments) != 1 || pending.Payments[0].Status != cauri.StatusPending {
		t.Fatalf("/admin finds %+v for order %s, want one pending payment", pending.Payments, ref)
	}
	id := pending.Payments[0].ID
	var paid struct {
		Payments []cauri.AdminPayment `json:"payments"`
	}
	adminGet(t, shop, "/?status=paid", &paid)
	if len(paid.Payments) == 0 {
		t.Fatalf("/admin lists no paid payment")
	}

	// The browser, in a tab sending the operator's credentials.
	actx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	auth := base64.StdEncoding.EncodeToString([]byte("e2e-operator:" + e2eAdminPassword))
	if _, err := chromedp.Call(actx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": "Basic " + auth}}); err != nil {
		t.Fatalf("sending the credentials: %v", err)
	}
	shoot := func(name string) {
		png := browserRun(t, actx, "screenshot "+name, chromedp.FullScreenshot(100))
		p := filepath.Join(shots, name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
	browserDo(t, actx, "open the console", chromedp.Navigate(shop.url+"/admin/"), chromedp.WaitVisible(chromedp.CSS(`a[href="payments/`+id+`"]`)))
	links := browserRun(t, actx, "read the list", chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href^="payments/"]')].map(a => a.textContent)`))
	if !slices.Contains(links, paid.Payments[0].ID) || !slices.Contains(links, id) {
		t.Errorf("the console's list shows %v, want %s (paid) and %s (pending)", links, paid.Payments[0].ID, id)
	}
	shoot("admin-list")

	// A paid payment's page: its history, from checkout to OnPaid.
	browserDo(t, actx, "open a paid payment", chromedp.Navigate(shop.url+"/admin/payments/"+paid.Payments[0].ID), chromedp.WaitVisible(chromedp.CSS("h2")))
	history := browserRun(t, actx, "read the history", chromedp.TextContent(chromedp.CSS("table")))
	for _, want := range []string{"created", "opened", "moved", "pending → paid", "onpaid", "succeeded"} {
		if !strings.Contains(history, want) {
			t.Errorf("the paid payment's history lacks %q:\n%s", want, history)
		}
	}
	shoot("admin-payment-paid")

	// The pending payment: re-checked once, then not before its turn.
	browserDo(t, actx, "open the pending payment", chromedp.Click(chromedp.CSS(`a[href="../"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="payments/`+id+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="payments/`+id+`"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/recheck"] button`)))
	browserDo(t, actx, "re-check", chromedp.Click(chromedp.CSS(`form[action$="/recheck"] button`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	notice := browserRun(t, actx, "read the notice", chromedp.TextContent(chromedp.CSS(".notice")))
	// The shop's reconciler may have asked first: then it is not due.
	if !strings.Contains(notice, "The provider was asked") && !strings.Contains(notice, "asked about this payment lately") {
		t.Errorf("after a re-check the page says %q", notice)
	}
	browserDo(t, actx, "re-check again", chromedp.Click(chromedp.CSS(`form[action$="/recheck"] button`)), chromedp.WaitVisible(chromedp.CSS(".notice.bad")))
	notice = browserRun(t, actx, "read the notice", chromedp.TextContent(chromedp.CSS(".notice")))
	if !strings.Contains(notice, "asked about this payment lately") {
		t.Errorf("after a second re-check the page says %q", notice)
	}
	history = browserRun(t, actx, "read the history", chromedp.TextContent(chromedp.CSS("table")))
	if strings.Count(history, "e2e-operator") != 2 || !strings.Contains(history, "recheck-not-due") {
		t.Errorf("the pending payment's history does not show both re-checks by e2e-operator:\n%s", history)
	}
	shoot("admin-payment")

	// A paid payment whose OnPaid never succeeded (as after a crash between
	// the two writes): its mark of success taken out of the shop's
	// database, the console's retry runs OnPaid again, which the shop
	// takes idempotently.
	stuck := paid.Payments[len(paid.Payments)-1].ID
	d, err := parseDatabaseURL("sqlite://" + filepath.Join(filepath.Dir(shop.logPath), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(d.driver, d.dsn)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(t.Context(), "UPDATE cauri_payments SET fulfilled_at = NULL WHERE id = ?", stuck)
	db.Close()
	if err != nil {
		t.Fatalf("taking out %s's OnPaid success: %v", stuck, err)
	}
	browserDo(t, actx, "open the unfulfilled payment", chromedp.Navigate(shop.url+"/admin/payments/"+stuck),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/retry-onpaid"] button`)))
	browserDo(t, actx, "retry OnPaid", chromedp.Click(chromedp.CSS(`form[action$="/retry-onpaid"] button`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	notice = browserRun(t, actx, "read the notice", chromedp.TextContent(chromedp.CSS(".notice")))
	// The shop's reconciler may have retried it first.
	if !strings.Contains(notice, "OnPaid ran and succeeded") && !strings.Contains(notice, "OnPaid had already succeeded") {
		t.Errorf("after retrying OnPaid the page says %q", notice)
	}
	history = browserRun(t, actx, "read the history", chromedp.TextContent(chromedp.CSS("table")))
	if !strings.Contains(history, "retry_onpaid") || !strings.Contains(history, "e2e-operator") {
		t.Errorf("the history does not show the retry by e2e-operator:\n%s", history)
	}
	if n := browserRun(t, actx, "look for the retry button", chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/retry-onpaid"]').length`)); n != 0 {
		t.Errorf("the page still offers to retry OnPaid")
	}
	shoot("admin-payment-retried")
}

// browserRun runs one browser action within browserStep and fails t on
// error.
func browserRun[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// browserDo runs browser steps within browserStep and fails t on error.
func browserDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browserRun(t, ctx, what, chromedp.Steps(steps...))
}

// buyInBrowser opens the shop, buys with provider and checks the
// provider's page: its title, logo, amount, means of payment, phone field
// and buttons. It returns the order's reference. shot is called with each
// page's name, to take screenshots.
func buyInBrowser(t *testing.T, ctx context.Context, shop *shopProcess, provider string, shot func(page string)) string {
	t.Helper()
	form := `form[data-provider="` + provider + `"]`
	browserDo(t, ctx, "open the shop", chromedp.Navigate(shop.url+"/"), chromedp.WaitVisible(chromedp.CSS(form+" button")))
	ref := browserRun(t, ctx, "read the order reference", chromedp.Value(chromedp.CSS(form+` input[name="order"]`)))
	if !orderRef.MatchString(ref) {
		t.Fatalf("order reference %q", ref)
	}
	shot("shop-home")

	browserDo(t, ctx, "buy with "+provider, chromedp.Click(chromedp.CSS(form+" button")), chromedp.WaitVisible(chromedp.CSS(`button[value="pay"]`)))
	title := browserRun(t, ctx, "read the provider's title", chromedp.Title())
	amount := browserRun(t, ctx, "read the amount", chromedp.TextContent(chromedp.CSS(".amount")))
	logo := browserRun(t, ctx, "read the logo", chromedp.TextContent(chromedp.CSS("header .logo")))
	label := providerLabel(provider)
	if title != label+" checkout (emulator)" || !strings.Contains(amount, "5000") || !strings.EqualFold(logo, label) {
		t.Errorf("provider page: title %q, logo %q, amount %q; want %s's checkout for 5000", title, logo, amount, label)
	}
	page := browserRun(t, ctx, "read the provider's page", chromedp.Evaluate[providerPage](`({
		operators: [...document.querySelectorAll('input[name="operator"]')].map(e => e.parentElement.textContent.trim()),
		chosen: (document.querySelector('input[name="operator"]:checked') || {}).value || "",
		phone: !!document.querySelector('input[name="customer_phone"]'),
		buttons: [...document.querySelectorAll("button[formaction]")].map(e => e.value),
	})`))
	if len(page.Operators) < 2 || page.Chosen == "" || !page.Phone ||
		!slices.Equal(page.Buttons, []string{"pay", "pay_later", "fail", "cancel"}) {
		t.Errorf("provider page: %+v; want operators, one chosen, a phone field and pay, pay later, fail and cancel", page)
	}
	shot("provider-" + provider)
	return ref
}

// providerPage is what an emulator's page offers.
type providerPage struct {
	Operators []string `json:"operators"` // the means of payment, as shown
	Chosen    string   `json:"chosen"`    // the one chosen, by code
	Phone     bool     `json:"phone"`     // a phone number field
	Buttons   []string `json:"buttons"`   // the buttons' actions, in order
}

// testBrowserFlow buys with f.provider in the browser, does f.action on
// its page, and checks where the customer lands and what /orders says.
// shot is called with each page's name, to take screenshots.
func testBrowserFlow(t *testing.T, ctx context.Context, shop *shopProcess, f flow, shot func(page string)) {
	ref := buyInBrowser(t, ctx, shop, f.provider, shot)
	browserDo(t, ctx, "press "+string(f.action), chromedp.Click(chromedp.CSS(`button[value="`+string(f.action)+`"]`)))
	page := strings.TrimPrefix(f.page, "/")
	browserDo(t, ctx, "come back to the shop", chromedp.WaitVisible(chromedp.CSS(`main[data-page="`+page+`"]`)))
	loc := browserRun(t, ctx, "read the location", chromedp.Location())
	if !strings.HasPrefix(loc, shop.url+f.page+"?payment_id=") {
		t.Errorf("landed on %s, want %s%s?payment_id=...", loc, shop.url, f.page)
	}
	status := browserRun(t, ctx, "read the status", chromedp.TextContent(chromedp.CSS(`main .status`)))
	body := browserRun(t, ctx, "read the page", chromedp.TextContent(chromedp.CSS("main")))
	if status != string(f.status) || !strings.Contains(body, ref) {
		t.Errorf("%s says status %q for %q, want %s for order %s", f.page, status, body, f.status, ref)
	}
	shot("shop-" + page)
	checkOrder(t, ctx, shop, ref, f.provider, f.status, f.onPaid)
}

// testBrowserPayLater buys with provider in the browser, picks the
// page's second means of payment, types a phone number where the page
// has none, and chooses to pay later on the phone: the customer lands on
// the shop's pending page, which turns into the thank-you page once the
// emulated phone confirmed and the provider notified the shop.
func testBrowserPayLater(t *testing.T, ctx context.Context, shop *shopProcess, provider string, shot func(page string)) {
	ref := buyInBrowser(t, ctx, shop, provider, shot)
	second := `fieldset.operators label:nth-of-type(2) input`
	browserDo(t, ctx, "choose the second means of payment", chromedp.Click(chromedp.CSS(second)))
	if !browserRun(t, ctx, "read the choice", chromedp.Evaluate[bool](`document.querySelector('`+second+`').checked`)) {
		t.Errorf("the second means of payment is not chosen")
	}
	if phone := browserRun(t, ctx, "read the phone", chromedp.Value(chromedp.CSS(`input[name="customer_phone"]`))); phone == "" {
		browserDo(t, ctx, "type a phone number", chromedp.SendKeys(chromedp.CSS(`input[name="customer_phone"]`), "+221 77 123 45 67"))
	}
	shot("provider-" + provider + "-chosen")

	browserDo(t, ctx, "press pay later", chromedp.Click(chromedp.CSS(`button[value="pay_later"]`)))
	browserDo(t, ctx, "come back to the pending page", chromedp.WaitVisible(chromedp.CSS(`main[data-page="waiting"]`)))
	loc := browserRun(t, ctx, "read the location", chromedp.Location())
	status := browserRun(t, ctx, "read the status", chromedp.TextContent(chromedp.CSS(`main .status`)))
	if !strings.HasPrefix(loc, shop.url+"/waiting?payment_id=") || status != string(cauri.StatusPending) {
		t.Errorf("landed on %s saying %q, want %s/waiting?payment_id=... saying pending", loc, status, shop.url)
	}
	shot("shop-waiting")

	// The page polls the kit's status endpoint and moves on by itself.
	browserDo(t, ctx, "wait for the phone's confirmation", chromedp.WaitVisible(chromedp.CSS(`main[data-page="thanks"]`)))
	status = browserRun(t, ctx, "read the status", chromedp.TextContent(chromedp.CSS(`main .status`)))
	body := browserRun(t, ctx, "read the page", chromedp.TextContent(chromedp.CSS("main")))
	if status != string(cauri.StatusPaid) || !strings.Contains(body, ref) {
		t.Errorf("/thanks after waiting says status %q for %q, want paid for order %s", status, body, ref)
	}
	shot("shop-waiting-paid")
	checkOrder(t, ctx, shop, ref, provider, cauri.StatusPaid, 1)
}

// checkOrder checks what /orders says of the order ref: its status, its
// OnPaid calls and its provider.
func checkOrder(t *testing.T, ctx context.Context, shop *shopProcess, ref, provider string, want cauri.Status, onPaid int) {
	t.Helper()
	row := `tr[data-order="` + ref + `"]`
	browserDo(t, ctx, "open the orders", chromedp.Navigate(shop.url+"/orders"), chromedp.WaitVisible(chromedp.CSS(row)))
	status := browserRun(t, ctx, "read the order's status", chromedp.TextContent(chromedp.CSS(row+" td.status")))
	calls := browserRun(t, ctx, "read the order's OnPaid count", chromedp.TextContent(chromedp.CSS(row+" td.onpaid")))
	label := browserRun(t, ctx, "read the order's provider", chromedp.TextContent(chromedp.CSS(row+" td.provider")))
	if status != string(want) || calls != strconv.Itoa(onPaid) || label != providerLabel(provider) {
		t.Errorf("/orders: %s, %s OnPaid calls, with %s; want %s, %d, with %s", status, calls, label, want, onPaid, providerLabel(provider))
	}
}

// providerLabel is provider's name for people.
func providerLabel(name string) string {
	for _, sp := range providerSpecs() {
		if sp.name == name {
			return sp.label
		}
	}
	return name
}

// testPrometheus makes sure every provider has had a checkout, starts
// Prometheus scraping the shop every second, and waits until its query
// API has cauri_checkouts_total for every provider.
func testPrometheus(t *testing.T, shop *shopProcess, prometheus string) {
	// The browser part may have been skipped: one checkout per provider,
	// over plain HTTP.
	client := &http.Client{Timeout: browserStep, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range allProviders {
		res, err := client.PostForm(shop.url+"/pay/checkout/"+p, buy(newOrderRef()))
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("checkout with %s: %d, want 303", p, res.StatusCode)
		}
	}

	dir := t.TempDir()
	addr := freeLoopbackAddr(t)
	target := strings.TrimPrefix(shop.url, "http://")
	conf := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: cauri-demo
    metrics_path: /metrics
    static_configs:
      - targets: ['%s']
`, target)
	confPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "prometheus.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(prometheus,
		"--config.file="+confPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	t.Logf("Prometheus %s scrapes %s every second", addr, target)

	api := "http://" + addr + "/api/v1/query?" + url.Values{"query": {"cauri_checkouts_total"}}.Encode()
	deadline := time.Now().Add(scrapeTimeout)
	var series []promSeries
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-done:
			t.Fatalf("Prometheus exited\n%s", fileTail(logPath))
		case <-time.After(prometheusPoll):
		}
		series, last = promQuery(t.Context(), api)
		if last == nil && len(providersOf(series)) == len(allProviders) {
			break
		}
	}
	got := providersOf(series)
	if !slices.Equal(got, slices.Sorted(slices.Values(allProviders))) {
		t.Fatalf("Prometheus has cauri_checkouts_total for %v after %v, want %v (last error: %v)\n%s",
			got, scrapeTimeout, allProviders, last, fileTail(logPath))
	}
	t.Logf("Prometheus: %d series of cauri_checkouts_total (the kit creates each provider's outcomes at zero)", len(series))
	for _, s := range series {
		if s.Metric["job"] != "cauri-demo" || s.Metric["instance"] != target {
			t.Errorf("series %v: want job cauri-demo, instance %s", s.Metric, target)
		}
		if s.Value != "0" {
			t.Logf("Prometheus: cauri_checkouts_total{instance=%q,job=%q,outcome=%q,provider=%q} %s",
				s.Metric["instance"], s.Metric["job"], s.Metric["outcome"], s.Metric["provider"], s.Value)
		}
	}
}

// freeLoopbackAddr returns a loopback address with a port nothing listens
// on now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// promSeries is one series of a Prometheus instant query's answer.
type promSeries struct {
	Metric map[string]string
	Value  string // the sample's value
}

// promQuery asks Prometheus' query API at api for an instant vector.
func promQuery(ctx context.Context, api string) ([]promSeries, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var ans struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&ans); err != nil {
		return nil, fmt.Errorf("HTTP %d: %w", res.StatusCode, err)
	}
	if ans.Status != "success" || ans.Data.ResultType != "vector" {
		return nil, fmt.Errorf("HTTP %d: status %q, result type %q, error %q", res.StatusCode, ans.Status, ans.Data.ResultType, ans.Error)
	}
	out := make([]promSeries, len(ans.Data.Result))
	for i, r := range ans.Data.Result {
		v, _ := r.Value[1].(string)
		out[i] = promSeries{Metric: r.Metric, Value: v}
	}
	return out, nil
}

// providersOf lists, sorted, the providers with a series whose value is
// above zero.
func providersOf(series []promSeries) []string {
	var out []string
	for _, s := range series {
		if v, err := strconv.ParseFloat(s.Value, 64); err == nil && v > 0 && !slices.Contains(out, s.Metric["provider"]) {
			out = append(out, s.Metric["provider"])
		}
	}
	slices.Sort(out)
	return out
}
