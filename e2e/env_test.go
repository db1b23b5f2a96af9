package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"rhetor/internal/testenv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"rhetor/analyze"
	"rhetor/model"
	"rhetor/server"
	"rhetor/store"
)

// samplesDir holds real articles, beside the repository.
const samplesDir = "../../shared/samples"

// env is one running server and one browser tab on it.
type env struct {
	t    *testing.T
	base string
	// ctx is the browser tab's context (with the test's deadline).
	ctx context.Context
	// downloads is where the browser saves downloaded files; completed
	// counts the downloads the browser reported complete, by suggested
	// file name (guids maps a download under way to that name).
	downloads string
	completed map[string]int
	guids     map[string]string

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
	consoleErr []string
}

// newEnv starts the server over a fresh SQLite store and a headless
// Chromium of width×height, and stops both when the test ends.
func newEnv(t *testing.T, width, height int) *env {
	t.Helper()
	return newEnvToken(t, width, height, "")
}

// newEnvToken is newEnv with a server that requires token for writes.
func newEnvToken(t *testing.T, width, height int, token string) *env {
	t.Helper()
	chromium := testenv.Service(t, "RHETOR_CHROMIUM")
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := model.Default()
	if err != nil {
		t.Fatalf("load default model: %v", err)
	}
	srv, err := server.New(server.Config{Store: st, Analyzer: analyze.New(m, analyze.Options{}), Token: token})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	e := &env{t: t, base: ts.URL}
	dialogs := make(chan struct{}, 16)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(e.onEvent(dialogs)))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not carry a deadline.
	if err := chromedp.Do(tabCtx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium %s: %v", chromium, err)
	}
	// A dialog blocks the page: close every one (the listener only counts them).
	go func() {
		for {
			select {
			case <-tabCtx.Done():
				return
			case <-dialogs:
				_, _ = chromedp.Call(tabCtx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}
		}
	}()
	e.downloads = t.TempDir()
	e.completed, e.guids = map[string]int{}, map[string]string{}
	chromedp.ListenBrowser(tabCtx, e.onDownload)
	events := true
	if _, err := chromedp.CallBrowser(tabCtx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: e.downloads, EventsEnabled: &events,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	deadline, cancelDeadline := context.WithTimeout(tabCtx, 4*time.Minute)
	t.Cleanup(cancelDeadline)
	e.ctx = deadline
	t.Cleanup(e.checkConsole)
	return e
}

// onEvent records dialogs, uncaught exceptions, console errors and
// security (Content-Security-Policy) messages of the page. It runs on the
// tab's reading goroutine, so it only records and signals.
func (e *env) onEvent(dialogs chan<- struct{}) func(ev any) {
	return func(ev any) {
		e.mu.Lock()
		defer e.mu.Unlock()
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			e.dialogs = append(e.dialogs, fmt.Sprintf("%s: %s", ev.Type, ev.Message))
			select {
			case dialogs <- struct{}{}:
			default:
			}
		case *runtime.EventExceptionThrown:
			msg := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
			e.exceptions = append(e.exceptions, msg)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				e.consoleErr = append(e.consoleErr, strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			if ev.Entry.Source == cdplog.EntrySourceSecurity || ev.Entry.Source == cdplog.EntrySourceJavascript {
				e.consoleErr = append(e.consoleErr, fmt.Sprintf("%s: %s", ev.Entry.Source, ev.Entry.Text))
			}
		}
	}
}

// checkConsole fails the test on uncaught page exceptions, console errors
// and security messages (such as Content-Security-Policy violations).
func (e *env) checkConsole() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, x := range e.exceptions {
		e.t.Errorf("uncaught exception in the page: %s", x)
	}
	for _, x := range e.consoleErr {
		e.t.Errorf("console error in the page: %s", x)
	}
}

// dialogCount is the number of JavaScript dialogs the page opened.
func (e *env) dialogCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.dialogs)
}

// run runs browser actions, failing the test with what on error.
func (e *env) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	if err := chromedp.Do(e.ctx, actions...); err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to a hash route and waits for the workbench to start.
func (e *env) open(hash string) {
	e.t.Helper()
	e.run("open "+hash,
		chromedp.Navigate(e.base+"/"+hash),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
}

// analyse opens the Analyse view, pastes text, analyses it and waits for
// the result; what names the step in errors.
func (e *env) analyse(what, text string) {
	e.t.Helper()
	e.open("#/analyse")
	e.run(what,
		chromedp.SetValue(chromedp.CSS(`textarea[name="text"]`), text),
		chromedp.Click(chromedp.CSS(`form.analyse-form button[type="submit"]`)))
	e.waitJS("the result", `document.querySelector(".results .result") !== null`)
}

// goHash changes the hash of the running page (a route change without reload).
func (e *env) goHash(hash string) {
	e.t.Helper()
	evalJS[string](e, fmt.Sprintf("location.hash = %q", hash))
}

// evalJS evaluates a JavaScript expression (awaiting a promise).
func evalJS[T any](e *env, expr string) T {
	e.t.Helper()
	v, err := chromedp.Run(e.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		e.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is true.
func (e *env) waitJS(what, expr string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		text, _ := chromedp.Run(e.ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText.slice(0, 2000)`))
		e.t.Fatalf("waiting for %s (%s): %v\npage text:\n%s", what, expr, err, text)
	}
}

// count returns the number of elements matching a CSS selector.
func (e *env) count(selector string) int {
	e.t.Helper()
	return evalJS[int](e, fmt.Sprintf("document.querySelectorAll(%q).length", selector))
}

// screenshot saves a full-page PNG of the current view under the artefacts
// folder and logs its path.
func (e *env) screenshot(name string) { e.t.Helper(); e.shot(name, chromedp.FullScreenshot(100)) }

// viewportShot saves a PNG of the visible part of the page.
func (e *env) viewportShot(name string) { e.t.Helper(); e.shot(name, chromedp.CaptureScreenshot()) }

func (e *env) shot(name string, capture chromedp.Action[[]byte]) {
	e.t.Helper()
	dir := os.Getenv("RHETOR_E2E_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatalf("artefacts folder: %v", err)
	}
	png, err := chromedp.Run(e.ctx, capture)
	if err != nil {
		e.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		e.t.Fatalf("save screenshot: %v", err)
	}
	abs, _ := filepath.Abs(path)
	e.t.Logf("screenshot %s", abs)
}

// article is one article as the API takes it.
type article struct {
	ID     string `json:"id,omitempty"`
	Text   string `json:"text"`
	Lang   string `json:"lang,omitempty"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	Date   string `json:"date,omitempty"`
}

// importAPI stores articles with one application/x-ndjson POST.
func (e *env) importAPI(arts []article) {
	e.t.Helper()
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, a := range arts {
		if err := enc.Encode(a); err != nil {
			e.t.Fatal(err)
		}
	}
	resp, err := http.Post(e.base+"/v1/articles", "application/x-ndjson", &body)
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("import: %s: %s", resp.Status, msg)
	}
}

// listAPI returns the summaries of all stored articles, by id.
func (e *env) listAPI() map[string]store.Summary {
	e.t.Helper()
	resp, err := http.Get(e.base + "/v1/articles?limit=1000")
	if err != nil {
		e.t.Fatalf("list: %v", err)
	}
	defer resp.Body.Close()
	var pg store.Page
	if err := json.NewDecoder(resp.Body).Decode(&pg); err != nil {
		e.t.Fatalf("list: %v", err)
	}
	out := make(map[string]store.Summary, len(pg.Articles))
	for _, a := range pg.Articles {
		out[a.ID] = a
	}
	return out
}

// samples reads the sample articles, skipping the test when they are absent.
func samples(t *testing.T) map[string]string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(samplesDir, "*.txt"))
	if len(paths) == 0 {
		testenv.Missing(t, testenv.RequireData, fmt.Sprintf("no sample articles in %s: the tests that paste real articles need them", samplesDir))
	}
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = string(b)
	}
	return out
}

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// onDownload counts the downloads the browser completes, by name. It runs
// on the browser's reading goroutine, so it only records.
func (e *env) onDownload(ev any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev := ev.(type) {
	case *browser.EventDownloadWillBegin:
		e.guids[ev.GUID] = ev.SuggestedFilename
	case *browser.EventDownloadProgress:
		if ev.State == browser.DownloadProgressStateCompleted {
			e.completed[e.guids[ev.GUID]]++
			delete(e.guids, ev.GUID)
		}
	}
}

// download clicks a download link and returns the content of the file the
// browser saved, named by the link's download attribute, once the browser
// reports the download complete (the file can exist, empty, before that).
func (e *env) download(selector string) string {
	e.t.Helper()
	name := evalJS[string](e, fmt.Sprintf("document.querySelector(%q).getAttribute('download')", selector))
	path := filepath.Join(e.downloads, name)
	os.Remove(path)
	e.mu.Lock()
	before := e.completed[name]
	e.mu.Unlock()
	e.run("download "+selector, chromedp.Click(chromedp.CSS(selector)))
	for range 200 {
		e.mu.Lock()
		done := e.completed[name] > before
		e.mu.Unlock()
		if done {
			b, err := os.ReadFile(path)
			if err != nil {
				e.t.Fatalf("download %s: %v", selector, err)
			}
			return string(b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("download %s: the browser did not complete %s within 10s", selector, path)
	return ""
}

// getJSON decodes the answer of a GET of the API path into v.
func (e *env) getJSON(path string, v any) {
	e.t.Helper()
	resp, err := http.Get(e.base + path)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
}

// getText returns the body of a GET of path.
func (e *env) getText(path string) string {
	e.t.Helper()
	resp, err := http.Get(e.base + path)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %s %v", path, resp.Status, err)
	}
	return string(b)
}

// readFile returns the content of a file.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
