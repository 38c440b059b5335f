package browser

import (
	"context"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/report"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// screenshots, when set, is where TestChartsRender writes a PNG of each
// chart: go test ./tools/report/browser -screenshots ../../../docs
var screenshots = flag.String("screenshots", "", "write PNG screenshots of the charts to this directory")

const fixture = "../testdata/fixture.jsonl.gz"

// chromium finds the browser: $CHROMIUM, then the usual names on PATH.
// A missing browser fails the test: the page is what users open.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium to open the report in: install Debian's chromium (or set CHROMIUM)")
	return ""
}

func reports(t *testing.T) []*report.Report {
	t.Helper()
	var anas []report.Analysis
	for _, n := range report.Names() {
		a, err := report.New(n, report.Options{Around: time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC), Window: 30 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		anas = append(anas, a)
	}
	rd := report.NewReader(report.ReadOptions{})
	err := rd.ReadFiles(context.Background(), []string{fixture}, func(r *report.Record) {
		for _, a := range anas {
			a.Add(r)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []*report.Report
	for _, a := range anas {
		r := a.Report()
		r.Input = rd.Stats()
		out = append(out, r)
	}
	return out
}

// drawn is what the page shows of one chart, read in the browser.
type drawn struct {
	ID      string    `json:"id"`
	Series  int       `json:"series"`
	Points  []int     `json:"points"`
	Width   float64   `json:"width"`
	Height  float64   `json:"height"`
	Lengths []float64 `json:"lengths"` // of each line's path, as laid out
	Marks   int       `json:"marks"`
}

const countScript = `Array.from(document.querySelectorAll("svg.chart")).map(svg => {
  const r = svg.getBoundingClientRect();
  const series = Array.from(svg.querySelectorAll(".series"));
  return {
    id: svg.dataset.chart,
    series: series.length,
    points: series.map(s => s.tagName === "path"
      ? (s.getAttribute("d").match(/[ML]/g) || []).length
      : s.querySelectorAll("rect.point").length),
    lengths: series.map(s => s.tagName === "path" ? s.getTotalLength() : s.getBBox().width),
    width: r.width, height: r.height,
    marks: svg.querySelectorAll(".mark, .rule").length,
  };
})`

func TestChartsRender(t *testing.T) {
	exe := chromium(t)
	reps := reports(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, reps); err != nil {
		t.Fatal(err)
	}
	f.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	// Self-contained: the page may load nothing but itself.
	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate("file://"+page),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
	); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]drawn](countScript))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(requested) == 0 {
		t.Error("no request seen: the network listener is not working")
	}
	for _, u := range requested {
		if u != "file://"+page {
			t.Errorf("the page loaded %s: it must be self-contained", u)
		}
	}
	mu.Unlock()

	for _, g := range got {
		t.Logf("drawn: %s %d series, points %v, %gx%g px, %d marks", g.ID, g.Series, g.Points, g.Width, g.Height, g.Marks)
	}
	var want []*report.Chart
	for _, r := range reps {
		want = append(want, r.Charts()...)
	}
	if len(got) != len(want) || len(want) < 6 {
		t.Fatalf("%d charts drawn, want %d (at least 6)", len(got), len(want))
	}
	for i, c := range want {
		g := got[i]
		if g.ID != c.ID {
			t.Errorf("chart %d is %q, want %q", i, g.ID, c.ID)
			continue
		}
		if g.Width < 600 || g.Height < 150 {
			t.Errorf("%s: drawn %gx%g px, too small to read", c.ID, g.Width, g.Height)
		}
		if g.Series != len(c.Series) {
			t.Errorf("%s: %d series drawn, want %d", c.ID, g.Series, len(c.Series))
			continue
		}
		for j, s := range c.Series {
			n := 0
			for _, v := range s.Values {
				if !math.IsNaN(v) {
					n++
				}
			}
			if g.Points[j] != n {
				t.Errorf("%s series %q: %d points drawn, want %d", c.ID, s.Name, g.Points[j], n)
			}
			if n > 1 && g.Lengths[j] <= 0 {
				t.Errorf("%s series %q has %d points but no length on the page", c.ID, s.Name, n)
			}
		}
		if g.Marks != len(c.Marks) {
			t.Errorf("%s: %d marks drawn, want %d", c.ID, g.Marks, len(c.Marks))
		}
	}
	// The charts the issue asks for, with what they must show.
	byID := map[string]drawn{}
	for _, g := range got {
		byID[g.ID] = g
	}
	for id, min := range map[string]struct{ series, marks int }{
		"hourly-activity": {2, 0}, "hour-of-day": {1, 0}, "load": {1, 1}, "exception-rate": {4, 1}, "latency": {4, 0},
	} {
		g, ok := byID[id]
		if !ok || g.Series < min.series || g.Marks < min.marks {
			t.Errorf("chart %s: %+v, want at least %d series and %d marks", id, g, min.series, min.marks)
		}
	}

	if *screenshots != "" {
		shots := map[string]string{"hour-of-day": "log-report-users.png", "load": "log-report-load.png",
			"exception-rate": "log-report-exceptions.png", "latency": "log-report-perf.png"}
		for id, name := range shots {
			png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#chart-"+id)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*screenshots, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 1500), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
			t.Fatal(err)
		}
		top, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*screenshots, "log-report-page.png"), top, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshots in %s: %s", *screenshots, strings.Join(mapValues(shots), ", ")+", log-report-page.png")
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
