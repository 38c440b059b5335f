package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/auditlog-go/auditlog/auditlog"
)

// chromiumPath is Debian's chromium; AUDITLOG_CHROMIUM names another.
func chromiumPath(t *testing.T) string {
	p := os.Getenv("AUDITLOG_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the browser tests need chromium (Debian's package chromium, or AUDITLOG_CHROMIUM): %v", err)
	}
	return p
}

// browser starts a headless chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Pages restored from the back/forward cache fire no load, which
		// chromedp's DOM tracking misses; the back button is tested all
		// the same, as a navigation.
		chromedp.Flag("disable-features", "BackForwardCache"),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// servedViewer runs a whole server (stream hub and archive too) on
// loopback over a seeded SQLite store.
func servedViewer(t *testing.T, n int) string {
	t.Helper()
	st := openStore(t)
	o := Options{Store: st, Auth: Auth{Tokens: testTokens()},
		Log:       auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "log-serve"}),
		Incidents: IncidentOptions{Settle: 300 * time.Millisecond}}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + ln.Addr().String()
	seedWebAt(t, base, n)
	return base
}

// seedWebAt posts webLines to a served viewer.
func seedWebAt(t *testing.T, base string, n int) {
	t.Helper()
	lines := webLines(t, n)
	for i := 0; i < len(lines); i += 1000 {
		postLines(t, base, lines[i:min(i+1000, len(lines))])
	}
}

func postLines(t *testing.T, base string, lines [][]byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/v1/events", bytes.NewReader(joinLines(lines)))
	req.Header.Set("Authorization", "Bearer "+tokAdmin)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d %s", resp.StatusCode, b)
	}
}

func getJSON(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v\n%s", url, err, b)
		}
	}
	return resp.StatusCode
}

// shoot saves a screenshot of the viewport under AUDITLOG_SCREENSHOTS,
// when it is set (docs/ holds the README's).
func shoot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("AUDITLOG_SCREENSHOTS")
	if dir == "" {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	small, err := palettePNG(shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), small, 0o644); err != nil {
		t.Fatal(err)
	}
}

// palettePNG keeps a screenshot small for the repository: the page's
// 256 most frequent colours, each pixel its nearest.
func palettePNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	counts := map[color.RGBA]int{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cs := make([]color.RGBA, 0, len(counts))
	for c := range counts {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b color.RGBA) int { return counts[b] - counts[a] })
	pal := make(color.Palette, 0, 256)
	for _, c := range cs[:min(len(cs), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	draw.Draw(out, r, img, r.Min, draw.Src)
	var buf bytes.Buffer
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out)
	return buf.Bytes(), err
}

// b wraps a browser context with helpers that fail the test, saying
// where the page was.
type b struct {
	t   *testing.T
	ctx context.Context
}

func (x b) fail(what string, err error) {
	x.t.Helper()
	loc, _ := chromedp.Run(x.ctx, chromedp.Location())
	x.t.Fatalf("%s (at %s): %v", what, loc, err)
}

func (x b) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	x.t.Helper()
	if err := chromedp.Do(x.ctx, steps...); err != nil {
		x.fail(what, err)
	}
}

func (x b) loc() string {
	x.t.Helper()
	l, err := chromedp.Run(x.ctx, chromedp.Location())
	if err != nil {
		x.fail("location", err)
	}
	return l
}

func (x b) text(sel string) string {
	x.t.Helper()
	x.until("an element "+sel, `document.querySelector(`+jsString(sel)+`) !== null`)
	return evalAs[string](x, `document.querySelector(`+jsString(sel)+`).textContent`)
}

// until waits for a JavaScript condition to hold, through navigations
// (an evaluation that a navigation interrupts is tried again).
func (x b) until(what, cond string) {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(x.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			x.fail(what+": "+cond, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func evalAs[T any](x b, expr string) T {
	x.t.Helper()
	v, err := chromedp.Run(x.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		x.fail(expr, err)
	}
	return v
}

// TestBrowser drives the viewer in a real chromium: log in, page
// through, filter, zoom by the histogram, open a request, follow ±60 s,
// make an incident, watch the live tail, and check that a value holding
// <script> is text.
func TestBrowser(t *testing.T) {
	base := servedViewer(t, 400)
	x := b{t, browser(t)}
	const rows = `#events tbody tr:not(.gap)`
	count := func(sel string) int { return evalAs[int](x, `document.querySelectorAll(`+jsString(sel)+`).length`) }
	texts := func(sel string) []string {
		return evalAs[[]string](x, `Array.from(document.querySelectorAll(`+jsString(sel)+`)).map(e => e.textContent)`)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// Log in: a page without a session goes to the form and comes back.
	x.do("log in",
		chromedp.Navigate(base+"/ui/events"),
		chromedp.WaitVisible(css(`input[name=token]`)),
		chromedp.SendKeys(css(`input[name=token]`), tokAdmin),
		chromedp.Submit(css(`form.login`)),
		chromedp.WaitVisible(css(`#events`)),
	)
	if loc := x.loc(); loc != base+"/ui/events" {
		t.Errorf("after login at %s", loc)
	}
	res, err := chromedp.Run(x.ctx, func(ctx context.Context, tg *chromedp.Target) (*network.GetCookiesResult, error) {
		r, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
		return &r, err
	})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range res.Cookies {
		if c.Name == sessionCookie {
			found = true
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || strings.Contains(c.Value, tokAdmin) {
				t.Errorf("session cookie %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie in the browser")
	}
	shoot(t, x.ctx, "viewer-events")

	// Page through, and back.
	n := count(rows)
	first1 := x.text(rows + ` td.t`)
	x.do("next page", chromedp.Click(css(`#next`), chromedp.NodeVisible), chromedp.WaitVisible(css(`.pager a[href^="/ui/events"]`)))
	first2 := x.text(rows + ` td.t`)
	// The browser's back button (history.back: chromedp's NavigateBack
	// waits for a load that a page restored from the back/forward cache
	// never fires).
	evalAs[any](x, `history.back(), null`)
	x.until("back", `!location.search.includes("after=") && document.readyState === "complete"`)
	firstBack := x.text(rows + ` td.t`)
	if n != 100 || first1 == first2 || first1 != firstBack || first1 < first2 {
		t.Errorf("paging: %d rows; first rows %q, then %q, back %q", n, first1, first2, firstBack)
	}

	// Filter: a minimum level, through the form.
	x.do("filter",
		chromedp.SetValue(css(`select[name=level]`), "WARNING"),
		chromedp.Submit(css(`form.filters`)),
		chromedp.WaitVisible(css(`#events`)),
	)
	levels := texts(rows + ` td.lv`)
	if loc := x.loc(); !strings.Contains(loc, "level=WARNING") || len(levels) == 0 {
		t.Fatalf("filtered to %s: %d rows", loc, len(levels))
	}
	for _, l := range levels {
		if l != "WARNING" && l != "ERROR" {
			t.Errorf("level=WARNING shows a %s line", l)
			break
		}
	}
	shoot(t, x.ctx, "viewer-events-warning")

	// Zoom: a bar of the histogram is a link to its range.
	x.do("histogram", chromedp.Navigate(base+"/ui/events"), chromedp.WaitVisible(css(`#histogram`)))
	bars := count(`#histogram a`)
	href := evalAs[string](x, `(function(){var a=document.querySelectorAll("#histogram a");return a[a.length-3].getAttribute("href")})()`)
	if bars < 5 || !strings.Contains(href, "since=") || !strings.Contains(href, "until=") {
		t.Fatalf("histogram: %d bars, a bar's link %q", bars, href)
	}
	x.do("click a bar", chromedp.Click(css(`#histogram a:nth-last-of-type(3) rect.hit`)), chromedp.WaitVisible(css(`#events`)))
	loc := x.loc()
	times := texts(rows + ` td.t`)
	if !strings.Contains(loc, "since=") || len(times) == 0 {
		t.Fatalf("after the bar: %s, %d rows", loc, len(times))
	}
	since, until := queryOf(t, loc, "since"), queryOf(t, loc, "until")
	for _, ts := range times {
		if ts < since || ts >= until {
			t.Errorf("zoomed to [%s, %s) but shows %s", since, until, ts)
			break
		}
	}

	// Requests, one request, its event, and ±60 s around it.
	x.do("requests", chromedp.Navigate(base+"/ui/requests"), chromedp.WaitVisible(css(`#requests`)))
	if n := count(`#requests tbody tr`); n != 100 {
		t.Errorf("requests page: %d rows", n)
	}
	shoot(t, x.ctx, "viewer-requests")
	x.do("open a request", chromedp.Click(css(`#requests tbody tr td.rid a`), chromedp.NodeVisible), chromedp.WaitVisible(css(`#waterfall`)))
	if loc, n, lanes := x.loc(), count(rows), count(`#waterfall text.lane`); !strings.Contains(loc, "/ui/requests/req-") || n != 3 || lanes != 3 {
		t.Errorf("request page %s: %d lines, %d lanes; want 3 and 3", loc, n, lanes)
	}
	shoot(t, x.ctx, "viewer-request")
	x.do("open an event", chromedp.Click(css(rows+` td.t a`), chromedp.NodeVisible), chromedp.WaitVisible(css(`pre.expanded`)))
	if raw := x.text(`pre.raw`); !strings.Contains(raw, `"schema_version":1`) {
		t.Errorf("raw line: %q", raw)
	}
	shoot(t, x.ctx, "viewer-event")
	x.do("±60 s", chromedp.Click(css(`#around`), chromedp.NodeVisible), chromedp.WaitVisible(css(`#events`)))
	if loc, h1, n := x.loc(), x.text(`h1`), count(rows); !strings.Contains(loc, "around=") || !strings.Contains(h1, "within 1m0s") || n == 0 {
		t.Errorf("±60 s: %s %q %d rows", loc, h1, n)
	}

	// An incident for a moment, through the form.
	// At 08:01:40.020 request 50 is in flight (its lines span 08:01:40.000
	// to .040): all three of its lines are kept, beside the WARNING+ lines.
	at := timeString(webBase.Add(100*time.Second + 20*time.Millisecond))
	x.do("make an incident",
		chromedp.Navigate(base+"/ui/incidents"),
		chromedp.WaitVisible(css(`#make`)),
		chromedp.SetValue(css(`input[name=at]`), at),
		chromedp.Click(css(`#make`)),
		chromedp.WaitVisible(css(`#export-html`)),
	)
	loc = x.loc()
	if n := count(rows); !strings.Contains(loc, "/ui/incidents/inc-") || n < 3 {
		t.Fatalf("incident page %s: %d lines", loc, n)
	}
	if n := len(slices.DeleteFunc(texts(rows+` td.rid`), func(s string) bool { return s != "req-00050" })); n != 3 {
		t.Errorf("the incident holds %d lines of the request in flight, want 3", n)
	}
	for _, l := range texts(rows + ` td.lv`) {
		if l == "INFO" {
			continue // the request in flight's own lines
		}
		if l != "WARNING" && l != "ERROR" {
			t.Errorf("the incident holds a %s line", l)
		}
	}
	shoot(t, x.ctx, "viewer-incident")
	incID := loc[strings.LastIndex(loc, "/")+1:]
	req, _ := http.NewRequest("GET", base+"/ui/incidents/"+incID+"/export.html", nil)
	req.Header.Set("Authorization", "Bearer "+tokAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	export, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(export, []byte("<style>")) || bytes.Contains(export, []byte("<script")) ||
		bytes.Contains(export, []byte(`href=`)) || bytes.Contains(export, []byte(`src=`)) {
		t.Errorf("export.html: %d, not self-contained:\n%.600s", resp.StatusCode, export)
	}
	x.do("incidents list", chromedp.Navigate(base+"/ui/incidents"), chromedp.WaitVisible(css(`#incidents`)))
	if n := count(`#incidents tbody a`); n < 1 {
		t.Errorf("incidents page lists %d", n)
	}
	shoot(t, x.ctx, "viewer-incidents")

	// A value holding <script> is text: shown, not run.
	x.do("escape", chromedp.Navigate(base+"/ui/events?q=script"), chromedp.WaitVisible(css(`#events`)))
	msg := x.text(rows + ` td.msg`)
	xss := evalAs[any](x, `window.__xss === undefined ? null : window.__xss`)
	if n := count("script"); msg != xssMessage || xss != nil || n != 1 {
		t.Errorf("the message shows as %q; window.__xss = %v; %d scripts", msg, xss, n)
	}

	// The live tail shows an event posted after it started.
	marker := fmt.Sprintf("live tail marker %d", time.Now().UnixNano())
	x.do("live tail on",
		chromedp.Navigate(base+"/ui/events"),
		chromedp.WaitVisible(css(`#live`)),
		chromedp.Click(css(`#live`)),
	)
	x.until("live tail status", `document.getElementById("live-status").textContent === "live"`)
	var buf bytes.Buffer
	h := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-api"})
	slog.New(h).Error(marker, "user", "x")
	postLines(t, base, [][]byte{bytes.TrimSuffix(buf.Bytes(), []byte("\n"))})
	x.until("live tail shows the new event", `document.querySelector("#events tbody tr td.msg").textContent === `+jsString(marker))
	shoot(t, x.ctx, "viewer-live")

	// The ERROR just posted makes an incident of its own once it settles.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var list struct {
			Incidents []map[string]any `json:"incidents"`
		}
		getJSON(t, base+"/v1/incidents", tokAdmin, &list)
		got := false
		for _, inc := range list.Incidents {
			if r, _ := inc["reason"].(string); strings.Contains(r, marker) {
				got = true
			}
		}
		if got {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no incident for the posted ERROR: %v", list.Incidents)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func queryOf(t *testing.T, loc, key string) string {
	t.Helper()
	i := strings.Index(loc, "?")
	if i < 0 {
		t.Fatalf("%s has no query", loc)
	}
	v, err := url.ParseQuery(loc[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return v.Get(key)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
