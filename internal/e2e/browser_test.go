package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wujw/ohis/internal/apptest"
)

const (
	// testTimeout bounds everything one test does in its tab.
	testTimeout = 60 * time.Second
	// actionTimeout bounds one step (a click, a read), so a missing element
	// fails in seconds with a clear message instead of at the test timeout.
	actionTimeout = 10 * time.Second
	// screenshotDir receives PNGs when OHIS_SCREENSHOTS is set.
	screenshotDir = "/tmp/ohis-screens"
)

// browser is the one Chromium of this test package, started by the first
// test that needs it and stopped by TestMain.
var browser struct {
	once    sync.Once
	path    string          // executable; empty when none was found
	ctx     context.Context // chromedp context of the running browser
	stop    func()
	dataDir string
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.stop != nil {
		browser.stop()
	}
	if browser.dataDir != "" {
		_ = os.RemoveAll(browser.dataDir)
	}
	os.Exit(code)
}

// findBrowser is the first Chromium-like browser on PATH.
func findBrowser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func startBrowser() {
	if browser.path = findBrowser(); browser.path == "" {
		return
	}
	dir, err := os.MkdirTemp("", "ohis-e2e-chromium-")
	if err != nil {
		browser.err = err
		return
	}
	browser.dataDir = dir
	// The machines have no internet: nothing may try to phone home, and
	// tests run as root, so the sandbox cannot be used.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser.path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, stopAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, stopBrowser := chromedp.NewContext(allocCtx)
	browser.stop = func() { stopBrowser(); stopAlloc() }
	// The first Do starts the process and binds its life to ctx, so ctx
	// has no deadline; a hung start is caught by the timer instead.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		err = errors.New("no answer within 30s")
	}
	if err != nil {
		browser.err = fmt.Errorf("%s: %w", browser.path, err)
		return
	}
	browser.ctx = ctx
}

// requireBrowser starts the shared browser, or skips the test when there is
// none, except under CI, where a missing browser is a failure.
func requireBrowser(t *testing.T) {
	t.Helper()
	browser.once.Do(startBrowser)
	if browser.path == "" {
		const msg = "e2e: no browser found (chromium, chromium-browser or google-chrome); scripts/install-deps installs Debian's chromium"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if browser.err != nil {
		t.Fatalf("e2e: starting the browser: %v", browser.err)
	}
}

// setup checks for the browser first (so a skip costs no database), then
// starts the application.
func setup(t *testing.T) *apptest.Env {
	t.Helper()
	requireBrowser(t)
	return apptest.New(t)
}

// page is one tab, with cookies of its own, on env's server.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newTab opens a tab in a fresh browser context (no cookies shared with
// other tabs), closed when the test ends or after testTimeout.
func newTab(t *testing.T, env *apptest.Env) *page {
	t.Helper()
	requireBrowser(t)
	deadline, cancelDeadline := context.WithTimeout(browser.ctx, testTimeout)
	tab, cancelTab := chromedp.NewContext(deadline, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancelTab(); cancelDeadline() })
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("e2e: opening a tab: %v", err)
	}
	return &page{t: t, ctx: tab, base: env.Server.URL}
}

// do runs steps with the action timeout.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v (on %s)", what, err, p.where())
	}
}

// get runs one action that returns a value.
func get[T any](p *page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %v (on %s)", what, err, p.where())
	}
	return v
}

// eval evaluates JavaScript in the page.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	return get(p, "evaluate "+js, chromedp.Evaluate[T](js))
}

// where is the current URL for failure messages; it never fails.
func (p *page) where() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown page"
	}
	return loc
}

// path is the current URL's path and query, e.g. "/inloggen?next=%2Fteam".
func (p *page) path() string {
	p.t.Helper()
	loc := get(p, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		p.t.Fatalf("location %q: %v", loc, err)
	}
	if !strings.HasPrefix(loc, p.base) {
		p.t.Fatalf("the browser left the portal: %s", loc)
	}
	return u.RequestURI()
}

// open goes to a path of the portal as if typed in the address bar, and
// returns the HTTP status of the page that loaded.
func (p *page) open(path string) int64 {
	p.t.Helper()
	resp := get(p, "open "+path, chromedp.NavigateResponse(p.base+path))
	return resp.Status
}

// follow clicks something that loads a new page and waits for that page.
func (p *page) follow(what string, click chromedp.Action[chromedp.Void]) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, click)
	if err != nil {
		p.t.Fatalf("%s: %v (on %s)", what, err, p.where())
	}
	return resp.Status
}

// press clicks a button (by CSS selector) that submits a form.
func (p *page) press(css string) int64 {
	p.t.Helper()
	return p.follow("press "+css, chromedp.Click(chromedp.CSS(css)))
}

// pressButton clicks the button with that visible text.
func (p *page) pressButton(text string) int64 {
	p.t.Helper()
	return p.follow("press button "+text, chromedp.Click(chromedp.Search("//button[normalize-space(.)="+xpathString(text)+"]")))
}

// clickLink clicks the link with that visible text in the page content.
func (p *page) clickLink(text string) int64 {
	p.t.Helper()
	return p.follow("click link "+text, chromedp.Click(chromedp.Search("//main//a[normalize-space(.)="+xpathString(text)+"]")))
}

// clickNav clicks an item of the side navigation.
func (p *page) clickNav(text string) int64 {
	p.t.Helper()
	return p.follow("click menu item "+text, chromedp.Click(chromedp.Search(`//nav[@data-testid="nav"]//a[normalize-space(.)=`+xpathString(text)+"]")))
}

// clickXPath is a click on the first element an XPath expression finds.
func clickXPath(xpath string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.Search(xpath))
}

// typeInto clicks into a field and types, key by key.
func (p *page) typeInto(css, text string) {
	p.t.Helper()
	p.do("type into "+css, chromedp.Click(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), text))
}

// choose picks the option with that label in a select, the way a browser
// does when a person picks it (as Playwright's selectOption does): the
// option is selected and input and change events fire, so htmx and forms
// see it. Headless Chromium has no clickable drop-down list to drive.
func (p *page) choose(css, label string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const s = document.querySelector(%s);
		if (!s) return "no select";
		const o = Array.from(s.options).find(o => o.textContent.trim() === %s);
		if (!o) return "no option; options are: " + Array.from(s.options, o => o.textContent.trim()).join(" | ");
		s.focus();
		s.value = o.value;
		s.dispatchEvent(new Event("input", {bubbles: true}));
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return "";
	})()`, jsString(css), jsString(label))
	if msg := eval[string](p, js); msg != "" {
		p.t.Fatalf("choose %q in %s: %s", label, css, msg)
	}
}

// text is the visible text of the first element matching css.
func (p *page) text(css string) string {
	p.t.Helper()
	return strings.TrimSpace(get(p, "read "+css, chromedp.Text(chromedp.CSS(css))))
}

// texts are the trimmed texts of all elements matching css, now (no waiting).
func (p *page) texts(css string) []string {
	p.t.Helper()
	return eval[[]string](p, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.textContent.replace(/\s+/g, " ").trim())`, jsString(css)))
}

// value is the current value of a form field.
func (p *page) value(css string) string {
	p.t.Helper()
	return get(p, "read the value of "+css, chromedp.Value(chromedp.CSS(css)))
}

// waitUntil polls a JavaScript condition until it is true.
func (p *page) waitUntil(what, js string) {
	p.t.Helper()
	get(p, "wait until "+what, chromedp.PollFunction[bool]("() => !!("+js+")",
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(actionTimeout)))
}

// flashes are the one-time messages shown on the page.
func (p *page) flashes() []string {
	p.t.Helper()
	return p.texts("[data-testid=flash]")
}

// screenshot writes the whole page to screenshotDir/name.png when
// OHIS_SCREENSHOTS is set; it is for people to look at, not an assertion.
func (p *page) screenshot(name string) {
	p.t.Helper()
	if os.Getenv("OHIS_SCREENSHOTS") == "" {
		return
	}
	png := get(p, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	file := filepath.Join(screenshotDir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", file)
}

// login fills in the login form and submits it.
func (p *page) login(email, password string) {
	p.t.Helper()
	p.open("/inloggen")
	p.typeInto("#f-email", email)
	p.typeInto("#f-password", password)
	p.press("[data-testid=login-submit]")
}

// navItems are the link texts of the side navigation, in order.
func (p *page) navItems() []string {
	p.t.Helper()
	return p.texts("nav[data-testid=nav] a")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// xpathString quotes s as an XPath string literal.
func xpathString(s string) string {
	if strings.Contains(s, `"`) {
		panic("e2e: xpathString cannot quote " + s)
	}
	return `"` + s + `"`
}

// containsAny reports whether one of the texts contains sub.
func containsAny(texts []string, sub string) bool {
	for _, s := range texts {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
