package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/ingest"
)

// Tests for what the audit of issue 12 found untested: the pages with
// JavaScript off, the NDJSON export's content, oslo.log text records on
// the pages, the request page's gaps and the histogram's stacking.

// TestBrowserWithoutScript: every page but the live tail works with the
// browser's JavaScript off (issue 12). Logging in, paging, the filter
// form, an event, its request, ±60 s around it, making an incident and
// the incidents list are all plain links and forms, followed here by real
// clicks, so the browser's own navigation and form submission do the work.
func TestBrowserWithoutScript(t *testing.T) {
	base := servedViewer(t, 400)
	x := b{t, browser(t)}
	if _, err := chromedp.Run(x.ctx, func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	const rows = `#events tbody tr:not(.gap)`
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	count := func(sel string) int { return evalAs[int](x, `document.querySelectorAll(`+jsString(sel)+`).length`) }
	texts := func(sel string) []string {
		return evalAs[[]string](x, `Array.from(document.querySelectorAll(`+jsString(sel)+`)).map(e => e.textContent)`)
	}
	// loaded waits for the page a click leads to: its URL and a complete
	// document (the old page may hold the same elements).
	loaded := func(what, urlCond string) {
		t.Helper()
		x.until(what, `(`+urlCond+`) && document.readyState === "complete"`)
	}
	// scriptOff checks that the page's script really did not run: live.js
	// unhides the live tail's button, which stays hidden without it.
	scriptOff := func(where string) {
		t.Helper()
		if hidden := evalAs[bool](x, `document.getElementById("live").hidden`); !hidden {
			t.Fatalf("%s: the live tail's button is shown, so the page's script ran", where)
		}
	}

	// Log in: the form posts, the browser follows the redirect back.
	x.do("log in",
		chromedp.Navigate(base+"/ui/events"),
		chromedp.WaitVisible(css(`input[name=token]`)),
		chromedp.SendKeys(css(`input[name=token]`), tokAdmin),
		chromedp.Click(css(`form.login button`), chromedp.NodeVisible),
	)
	loaded("back on the events page", `location.pathname === "/ui/events" && document.getElementById("events") !== null`)
	scriptOff("events")
	page1 := texts(rows + ` td.t`)
	if len(page1) != 100 || !slices.IsSortedFunc(page1, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("first page: %d rows, newest first %v", len(page1), slices.IsSortedFunc(page1, func(a, b string) int { return strings.Compare(b, a) }))
	}
	if n := count(`#histogram a`); n < 5 {
		t.Errorf("the histogram has %d bars", n)
	}

	// Page through: the next page link.
	x.do("next page", chromedp.Click(css(`#next`), chromedp.NodeVisible))
	loaded("the second page", `location.search.includes("after=")`)
	page2 := texts(rows + ` td.t`)
	if len(page2) != 100 || page2[0] >= page1[len(page1)-1] {
		t.Errorf("second page: %d rows, first %q after the first page's last %q", len(page2), page2[0], page1[len(page1)-1])
	}
	if first := x.text(`.pager a[href="/ui/events"]`); !strings.Contains(first, "first page") {
		t.Errorf("the second page's link to the first: %q", first)
	}

	// Filter: a minimum level through the form, submitted by its button.
	x.do("filter",
		chromedp.SetValue(css(`select[name=level]`), "WARNING"),
		chromedp.Click(css(`form.filters button`), chromedp.NodeVisible),
	)
	loaded("the filtered list", `location.search.includes("level=WARNING")`)
	scriptOff("filtered events")
	// 400 requests: every 10th a WARNING (40), every 25th an ERROR (16),
	// both every 50th (8, ERROR): 48 lines of WARNING and above.
	levels := texts(rows + ` td.lv`)
	if len(levels) != 48 {
		t.Errorf("level=WARNING: %d rows, want 48", len(levels))
	}
	for _, l := range levels {
		if l != "WARNING" && l != "ERROR" {
			t.Errorf("level=WARNING shows a %s line", l)
			break
		}
	}
	if end := x.text(`.pager span`); end != "end of the list" {
		t.Errorf("48 rows of 100 a page, but the pager says %q", end)
	}
	if sel := evalAs[string](x, `document.querySelector("select[name=level]").value`); sel != "WARNING" {
		t.Errorf("the form does not keep the level: %q", sel)
	}

	// Open the newest: request 399's nova-api line, an ERROR (399 % 25 = 24).
	x.do("open an event", chromedp.Click(css(rows+` td.t a`), chromedp.NodeVisible))
	loaded("the event page", `location.pathname.startsWith("/ui/events/") && document.querySelector("pre.raw") !== null`)
	evURL := x.loc()
	evID := evURL[strings.LastIndex(evURL, "/")+1:]
	fields := map[string]string{}
	for _, kv := range evalAs[[][]string](x, `Array.from(document.querySelectorAll("table.fields tr")).map(r => [r.querySelector("th").textContent, r.querySelector("td").textContent])`) {
		fields[kv[0]] = kv[1]
	}
	if fields["id"] != evID || fields["level"] != "ERROR" || fields["request_id"] != "req-00399" || fields["service"] != "nova-api" || fields["status"] != "500" {
		t.Errorf("the event's fields: %v", fields)
	}
	if raw := x.text(`pre.raw`); !strings.Contains(raw, `"request_id":"req-00399"`) {
		t.Errorf("the raw line: %q", raw)
	}
	evTime := fields["time"]

	// Its request: all three lines, across three services.
	x.do("its request", chromedp.Click(css(`#request`), chromedp.NodeVisible))
	loaded("the request page", `location.pathname === "/ui/requests/req-00399" && document.readyState === "complete"`)
	if rids, lanes := texts(rows+` td.rid`), count(`#waterfall text.lane`); !slices.Equal(rids, []string{"req-00399", "req-00399", "req-00399"}) || lanes != 3 {
		t.Errorf("request page: lines of %v, %d lanes; want 3 of req-00399 and 3 lanes", rids, lanes)
	}
	if h1 := x.text(`h1`); !strings.Contains(h1, "req-00399") {
		t.Errorf("request page title %q", h1)
	}

	// Back to the event through its row, then ±60 s around it.
	x.do("the event again", chromedp.Click(css(rows+` td.t a[href="/ui/events/`+evID+`"]`), chromedp.NodeVisible))
	loaded("the event page again", `location.pathname === "/ui/events/`+evID+`"`)
	x.do("±60 s", chromedp.Click(css(`#around`), chromedp.NodeVisible))
	loaded("the window", `location.search.includes("around=")`)
	scriptOff("around")
	loc := x.loc()
	if h1 := x.text(`h1`); !strings.Contains(h1, "within 1m0s of "+evTime) {
		t.Errorf("±60 s title %q, want the event's time %s", h1, evTime)
	}
	at, err := time.Parse(time.RFC3339Nano, queryOf(t, loc, "around"))
	if err != nil {
		t.Fatal(err)
	}
	times := texts(rows + ` td.t`)
	// The window is [T−60 s, T+60 s): the 30 requests before T (the last
	// one's) and at least request 369's last line (2 s a request).
	if len(times) < 90 || !slices.IsSorted(times) {
		t.Errorf("±60 s around %s: %d rows, in time order %v", at, len(times), slices.IsSorted(times))
	}
	lo, hi := timeString(at.Add(-time.Minute)), timeString(at.Add(time.Minute))
	for _, ts := range times {
		if ts < lo || ts >= hi {
			t.Errorf("±60 s around %s shows %s", at, ts)
			break
		}
	}
	if n := count(rows + ` td.t a[href="/ui/events/` + evID + `"]`); n != 1 {
		t.Errorf("the window around the event lists it %d times", n)
	}

	// An incident through the form (a POST with its CSRF value), then the list.
	// At 08:01:40.020 request 50 is in flight; its three lines are kept.
	atInc := timeString(webBase.Add(100*time.Second + 20*time.Millisecond))
	x.do("incidents page", chromedp.Click(css(`nav a[href="/ui/incidents"]`), chromedp.NodeVisible))
	loaded("the incidents page", `location.pathname === "/ui/incidents" && document.getElementById("make") !== null`)
	x.do("make an incident",
		chromedp.SetValue(css(`input[name=at]`), atInc),
		chromedp.Click(css(`#make`), chromedp.NodeVisible),
	)
	loaded("the incident", `location.pathname.startsWith("/ui/incidents/inc-")`)
	incURL := x.loc()
	incID := incURL[strings.LastIndex(incURL, "/")+1:]
	if n := len(slices.DeleteFunc(texts(rows+` td.rid`), func(s string) bool { return s != "req-00050" })); n != 3 {
		t.Errorf("the incident made without script holds %d lines of request 50, want 3", n)
	}
	x.do("incidents list", chromedp.Click(css(`nav a[href="/ui/incidents"]`), chromedp.NodeVisible))
	loaded("the incidents list", `location.pathname === "/ui/incidents" && document.getElementById("incidents") !== null`)
	ids := texts(`#incidents tbody td a`)
	if !slices.Contains(ids, incID) {
		t.Errorf("the incidents list %v lacks %s", ids, incID)
	}
	for _, l := range texts(`#incidents tbody td.lv`) {
		if l != "WARNING" && l != "ERROR" {
			t.Errorf("an incident's worst level is %q", l)
		}
	}
}

// TestWebIncidentNDJSON: an incident's NDJSON export holds exactly its
// events — for alice (p-1) at 08:01:40.020, ±60 s, the WARNING+ lines of
// p-1 within the window and the three lines of request 50 in flight then
// — one per line, in time order, each with its line byte for byte as it
// was posted; bob (p-2) gets 404 for it.
func TestWebIncidentNDJSON(t *testing.T) {
	ts := newTestServer(t, nil, nil)
	seeded := webLines(t, 200)
	for i := 0; i < len(seeded); i += 1000 {
		if r := ts.post(t, tokAdmin, seeded[i:min(i+1000, len(seeded))]); r.status != 200 {
			t.Fatalf("seed: %d %s", r.status, r.body)
		}
	}
	at := webBase.Add(100*time.Second + 20*time.Millisecond)
	inc, err := ts.srv.MakeIncident(context.Background(), at, time.Minute, events.Scope{Projects: []string{"p-1"}}, "alice")
	if err != nil {
		t.Fatal(err)
	}

	// What it must hold, from the seeded lines themselves (their fields
	// read by the ingest parser; the rule applied here).
	var want []string
	for _, l := range seeded {
		e, err := ingest.Line(l)
		if err != nil {
			t.Fatal(err)
		}
		if e.Project != "p-1" {
			continue
		}
		warn := e.Level == "WARNING" || e.Level == "ERROR"
		if (warn && !e.Time.Before(at.Add(-time.Minute)) && e.Time.Before(at.Add(time.Minute))) || e.RequestID == "req-00050" {
			want = append(want, string(l))
		}
	}
	// By hand: p-1 is the even requests; within [08:00:40.02, 08:02:40.02)
	// are requests 20 to 79, whose WARNING+ even ones are 24 and 74 (ERROR,
	// i % 25 = 24); with request 50's three lines, five.
	if len(want) != 5 {
		t.Fatalf("the expected set has %d lines, want 5 (the seeded lines' fields moved?)", len(want))
	}

	r := ts.get(t, "/ui/incidents/"+inc.ID+"/export.ndjson", tokAlice)
	if r.status != 200 || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("export.ndjson: %d %s\n%s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if !bytes.HasSuffix(r.body, []byte("\n")) || bytes.Contains(r.body, []byte("\n\n")) {
		t.Errorf("not one event a line, each ended by a newline:\n%s", r.body)
	}
	var got []string
	var last time.Time
	for i, l := range bytes.Split(bytes.TrimSuffix(r.body, []byte("\n")), []byte("\n")) {
		var e struct {
			ID      string          `json:"id"`
			Time    time.Time       `json:"time"`
			Project string          `json:"project"`
			Line    json.RawMessage `json:"line"`
		}
		if err := json.Unmarshal(l, &e); err != nil {
			t.Fatalf("export line %d is not JSON: %v\n%s", i+1, err, l)
		}
		if e.Time.Before(last) {
			t.Errorf("export line %d at %s comes after one at %s", i+1, e.Time, last)
		}
		last = e.Time
		if e.ID != events.ContentID(e.Line) {
			t.Errorf("export line %d: id %s is not its line's content id", i+1, e.ID)
		}
		if e.Project != "p-1" {
			t.Errorf("export line %d is of project %q", i+1, e.Project)
		}
		// The line is embedded as posted: the export line ends with it.
		if !bytes.HasSuffix(l, append(append([]byte(`,"line":`), e.Line...), '}')) {
			t.Errorf("export line %d does not end with its line", i+1)
		}
		got = append(got, string(e.Line))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the export holds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if inc, _ := ts.get(t, "/v1/incidents/"+inc.ID, tokAlice).json(t)["incident"].(map[string]any); inc != nil {
		if n, _ := inc["count"].(float64); int(n) != len(want) {
			t.Errorf("the incident counts %v events, its export %d", inc["count"], len(got))
		}
	}

	// Another project's user: not found, on the export and the page.
	for _, p := range []string{"/export.ndjson", "/export.html", ""} {
		if r := ts.get(t, "/ui/incidents/"+inc.ID+p, tokBob); r.status != 404 || bytes.Contains(r.body, []byte("req-00050")) {
			t.Errorf("bob reads alice's incident%s: %d", p, r.status)
		}
	}
}

// textExcerpt is lines 5 to 79 of a real oslo.log text log:
// os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-api.log
// in shared/data/openstack (openstack-archive/os-log-merger @ 6b87af03,
// contrib/debug-live-migration/logs/…; see its SOURCES.md). They hold 11
// records: request req-e4f91dbb-…'s nine (10:51:11.644 to 13.354, three
// of them with continuation lines, the ERROR on line 15 with the 59 TRACE
// lines of its traceback), then two of the shutdown without a context.
const (
	textSample    = "os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-api.log"
	textFirst     = 5
	textLast      = 79
	textRecords   = 11
	textRequest   = "req-e4f91dbb-6b8f-4240-8a23-f424f1900e54"
	textErrorLine = 15
)

// TestWebOsloText: oslo.log text records, ingested as log-serve's
// --follow ingests them (ingest.Follower, whose Grouper keeps a traceback
// with its record), show on the events page and the event page with
// their level, logger as the service, request id and message; the ERROR's
// page shows its traceback; the request's page has every one of its
// records, with its two long waits on neutron marked as gaps.
func TestWebOsloText(t *testing.T) {
	f, err := os.Open(osdata.Path(t, textSample))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if n >= textFirst && n <= textLast {
			lines = append(lines, sc.Text())
		}
	}
	f.Close()
	if err := sc.Err(); err != nil || len(lines) != textLast-textFirst+1 {
		t.Fatalf("read %d lines of the sample: %v", len(lines), err)
	}
	path := filepath.Join(t.TempDir(), "nova-api.log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	fo := ingest.NewFollower(st, []string{path}, ingest.FollowOptions{TextHold: 50 * time.Millisecond, BatchWait: 20 * time.Millisecond,
		PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fo.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for fo.Stats().Inserted < textRecords && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := fo.Stats(); s.Inserted != textRecords || s.Bad != 0 || s.Lines != int64(len(lines)) {
		t.Fatalf("followed the excerpt: %+v, want %d events from %d lines", s, textRecords, len(lines))
	}
	ts := newTestServer(t, st, nil)

	// The records as the file has them: first line, level, logger, message.
	type record struct{ head, level, logger, rid, msg string }
	var recs []record
	head := regexp.MustCompile(`^2015-10-29 [0-9:.]+ [0-9]+ ([A-Z]+) ([a-z_.]+) \[([^\]]*)\] ?(.*)$`)
	for _, l := range lines {
		m := head.FindStringSubmatch(l)
		if m == nil || m[1] == "TRACE" {
			continue // a continuation line
		}
		rid, _, _ := strings.Cut(m[3], " ")
		if rid == "-" {
			rid = ""
		}
		recs = append(recs, record{l, m[1], m[2], rid, m[4]})
	}
	if len(recs) != textRecords {
		t.Fatalf("%d records in the excerpt, want %d", len(recs), textRecords)
	}

	// The events page: one row a record, newest first.
	r := ts.get(t, "/ui/events?format=oslo-text&since=2015-10-29T10:00:00Z&until=2015-10-29T11:00:00Z", tokAdmin)
	rowRE := regexp.MustCompile(`(?s)<tr class="lv-[a-z]+">\s*<td class="t"><a href="/ui/events/([^"]+)">([^<]*)</a></td><td class="lv">([^<]*)</td><td>([^<]*)</td>\s*` +
		`<td class="rid">(?:<a href="([^"]*)">([^<]*)</a>)?</td>.*?<td class="msg">([^<]*)</td></tr>`)
	rowsGot := rowRE.FindAllStringSubmatch(string(r.body), -1)
	if r.status != 200 || len(rowsGot) != textRecords {
		t.Fatalf("events page: %d, %d rows, want %d\n%s", r.status, len(rowsGot), textRecords, r.body)
	}
	var errorID string
	for i, row := range rowsGot {
		rec := recs[len(recs)-1-i]
		id, tm, lv, svc, href, rid, msg := row[1], row[2], row[3], html.UnescapeString(row[4]), html.UnescapeString(row[5]), row[6], html.UnescapeString(row[7])
		want := rec.msg
		if want == "" { // no message on the first line: the list shows the line
			want = rec.head
		}
		if lv != rec.level || svc != rec.logger || rid != rec.rid || msg != want || !strings.HasPrefix(tm, "2015-10-29T10:51:") {
			t.Errorf("row %d: %s %s %q %q %q\nwant  %s %q %q %q", i, tm, lv, svc, rid, msg, rec.level, rec.logger, rec.rid, want)
		}
		if rid != "" && href != "/ui/requests/"+rid {
			t.Errorf("row %d: request link %q", i, href)
		}
		if lv == "ERROR" {
			errorID = id
		}
	}
	if bytes.Contains(r.body, []byte("'<bound method")) {
		t.Errorf("a message's <bound method …> came back as markup")
	}

	// The ERROR's page: its fields, and its traceback in the line as stored.
	if errorID == "" {
		t.Fatal("no ERROR row")
	}
	ev := ts.get(t, "/ui/events/"+errorID, tokAdmin)
	errRec := recs[slices.IndexFunc(recs, func(r record) bool { return r.level == "ERROR" })]
	fieldRE := regexp.MustCompile(`<tr><th>([a-z_]+)</th><td>([^<]*)</td></tr>`)
	fields := map[string]string{}
	for _, m := range fieldRE.FindAllStringSubmatch(string(ev.body), -1) {
		fields[m[1]] = html.UnescapeString(m[2])
	}
	if ev.status != 200 || fields["level"] != "ERROR" || fields["service"] != "nova.api.openstack" || fields["request_id"] != textRequest ||
		fields["message"] != errRec.msg || fields["kind"] != "exception" || fields["format"] != "oslo-text" || fields["time"] != "2015-10-29T10:51:13.294000Z" {
		t.Errorf("the ERROR's fields (%d): %v", ev.status, fields)
	}
	raw := regexp.MustCompile(`(?s)<pre class="raw">(.*?)</pre>`).FindSubmatch(ev.body)
	if raw == nil {
		t.Fatalf("no raw line on the ERROR's page")
	}
	wantRaw := strings.Join(lines[textErrorLine-textFirst:textErrorLine-textFirst+60], "\n")
	if got := html.UnescapeString(string(raw[1])); got != wantRaw {
		t.Errorf("the ERROR's record as shown:\n%.400s…\nwant its 60 lines:\n%.400s…", got, wantRaw)
	}
	for _, want := range []string{"TRACE nova.api.openstack Traceback (most recent call last):",
		"TRACE nova.api.openstack ConnectionFailed: Connection to neutron failed"} {
		if !strings.Contains(string(ev.body), html.EscapeString(want)) {
			t.Errorf("the ERROR's page lacks %q", want)
		}
	}
	if !bytes.Contains(ev.body, []byte(`id="request" href="/ui/requests/`+textRequest+`"`)) {
		t.Errorf("the ERROR's page has no link to its request")
	}

	// The request's page: its nine records in time order; neutron's two
	// slow answers (11.649 → 12.203 and 12.207 → 13.291, each more than a
	// twentieth of the 1.71 s) are the gaps.
	rq := ts.get(t, "/ui/requests/"+textRequest, tokAdmin)
	if n := len(rowRE.FindAllSubmatch(rq.body, -1)); rq.status != 200 || n != 9 {
		t.Errorf("the request's page: %d, %d rows, want 9", rq.status, n)
	}
	gapRE := regexp.MustCompile(`<tr class="gap"><td colspan="9">— ([^<]+) with nothing running —</td></tr>\s*<tr class="lv-[a-z]+">\s*<td class="t"><a href="/ui/events/[^"]+">([^<]+)</a>`)
	var gaps []string
	for _, m := range gapRE.FindAllSubmatch(rq.body, -1) {
		gaps = append(gaps, string(m[1])+" before "+string(m[2]))
	}
	if want := []string{"554.0 ms before 2015-10-29T10:51:12.203000Z", "1.08 s before 2015-10-29T10:51:13.291000Z"}; !slices.Equal(gaps, want) {
		t.Errorf("the request's gaps: %q, want %q", gaps, want)
	}
}

// histLines writes lines at the given levels, each at its offset from
// webBase.
func histLines(t *testing.T, spec map[time.Duration][]slog.Level) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	var tm time.Time
	h := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-api", Level: slog.LevelDebug,
		Now: func() time.Time { return tm }, Sequence: &auditlog.Sequence{}})
	log := slog.New(h)
	offs := make([]time.Duration, 0, len(spec))
	for d := range spec {
		offs = append(offs, d)
	}
	slices.Sort(offs)
	for _, d := range offs {
		for i, lv := range spec[d] {
			tm = webBase.Add(d + time.Duration(i)*time.Millisecond)
			log.Log(context.Background(), lv, fmt.Sprintf("line %s %d", d, i), "user", "u1")
		}
	}
	return bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
}

// TestWebHistogramStacking: over a known set, each bar of the histogram
// stacks one rect per level present, in the levels' order from the
// bottom, each as tall as its count, the tallest bar the full height;
// the legend counts each level; an empty minute is a thin "empty" strip.
func TestWebHistogramStacking(t *testing.T) {
	D, I, W, E, C := slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, auditlog.LevelCritical
	spec := map[time.Duration][]slog.Level{
		0:                {I, I, D},
		time.Minute:      {E, I, W, I, E, I},       // 3 INFO, 1 WARNING, 2 ERROR
		5 * time.Minute:  {E, E, E, E},             // 4 ERROR
		10 * time.Minute: {C, D, E, W, I, D, I, I}, // every level
		59 * time.Minute: {W},
	}
	ts := newTestServer(t, nil, nil)
	if r := ts.post(t, tokAdmin, histLines(t, spec)); r.status != 200 {
		t.Fatalf("seed: %d %s", r.status, r.body)
	}
	// An hour from webBase: one bar a minute, 60 bars.
	r := ts.get(t, "/ui/events?since="+timeString(webBase)+"&until="+timeString(webBase.Add(time.Hour)), tokAdmin)
	if r.status != 200 {
		t.Fatalf("events: %d %s", r.status, r.body)
	}
	svg := regexp.MustCompile(`(?s)<svg id="histogram".*?</svg>`).Find(r.body)
	if svg == nil {
		t.Fatalf("no histogram:\n%s", r.body)
	}
	barRE := regexp.MustCompile(`(?s)<a href="([^"]+)"><title>([^<]*)</title><rect class="hit"[^>]*></rect>(.*?)</a>`)
	rectRE := regexp.MustCompile(`<rect class="([a-z-]+)" x="[^"]*" y="([^"]*)" width="[^"]*" height="([^"]*)"></rect>`)
	bars := barRE.FindAllSubmatch(svg, -1)
	if len(bars) != 60 {
		t.Fatalf("%d bars, want 60 (a minute each)", len(bars))
	}
	const plotH, full = 96.0, 94.0 // the plot's bottom; the tallest bar's height (histH − 14, less 2)
	maxCount := 8.0                // minute 10
	for i, bar := range bars {
		minute := time.Duration(i) * time.Minute
		counts := map[string]float64{}
		for _, lv := range spec[minute] {
			counts["lv-"+strings.ToLower(auditlog.LevelName(lv))]++
		}
		var want []string
		for _, l := range events.Levels() {
			if counts["lv-"+strings.ToLower(l)] > 0 {
				want = append(want, "lv-"+strings.ToLower(l))
			}
		}
		if len(want) == 0 {
			want = []string{"empty"}
		}
		var classes []string
		bottom := plotH
		for _, m := range rectRE.FindAllSubmatch(bar[3], -1) {
			cls := string(m[1])
			y, _ := strconv.ParseFloat(string(m[2]), 64)
			h, _ := strconv.ParseFloat(string(m[3]), 64)
			classes = append(classes, cls)
			if cls == "empty" {
				continue
			}
			if wantH := counts[cls] / maxCount * full; abs(h-wantH) > 1e-6 || abs(y+h-bottom) > 1e-6 {
				t.Errorf("minute %d, %s: y %v height %v; want height %v on top of %v", i, cls, y, h, wantH, bottom)
			}
			bottom = y
		}
		if !slices.Equal(classes, want) {
			t.Errorf("minute %d: rects %v, want %v", i, classes, want)
		}
		since := timeString(webBase.Add(minute))
		if href := html.UnescapeString(string(bar[1])); !strings.Contains(href, "since="+strings.ReplaceAll(since, ":", "%3A")) {
			t.Errorf("minute %d links to %s", i, href)
		}
		if n := len(spec[minute]); !strings.Contains(string(bar[2]), " "+strconv.Itoa(n)+" events") {
			t.Errorf("minute %d's title %q, want %d events", i, bar[2], n)
		}
	}
	// The legend: per level over the window (DEBUG 3, INFO 8, WARNING 3,
	// ERROR 7, CRITICAL 1).
	legend := regexp.MustCompile(`<span class="key lv-[a-z]+">([A-Z]+) ([0-9]+)</span>`).FindAllSubmatch(r.body, -1)
	var got []string
	for _, m := range legend {
		got = append(got, string(m[1])+" "+string(m[2]))
	}
	if want := []string{"DEBUG 3", "INFO 8", "WARNING 3", "ERROR 7", "CRITICAL 1"}; !slices.Equal(got, want) {
		t.Errorf("legend %v, want %v", got, want)
	}
	if !bytes.Contains(r.body, []byte("22 events per minute, peak 8")) {
		t.Errorf("the caption does not say 22 events per minute, peak 8")
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestWebRequestGaps: a request whose lines are far apart shows the gap,
// in the list before the line that ends it and as a shaded rect on the
// waterfall; a request whose calls overlap shows none.
func TestWebRequestGaps(t *testing.T) {
	var buf bytes.Buffer
	var tm time.Time
	now := func() time.Time { return tm }
	seq := &auditlog.Sequence{}
	api := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-api", Now: now, Sequence: seq})
	compute := auditlog.NewHandler(&buf, &auditlog.Options{Service: "nova-compute", Now: now, Sequence: seq})
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: "req-gap", User: auditlog.User{ID: "u1", ProjectID: "p-1"}})
	t0 := webBase.Add(time.Hour)
	log := func(h *auditlog.Handler, at, d time.Duration, msg string) {
		tm = t0.Add(at)
		if err := h.LogEvent(ctx, &auditlog.Event{Level: slog.LevelInfo, Kind: auditlog.KindRPC, Message: msg, Duration: d}); err != nil {
			t.Fatal(err)
		}
	}
	// Calls [−5ms, 0], [5ms, 10ms], then [9.98s, 10s] and a point at
	// 10.05s: of the 10.055 s, only the 9.97 s between 10 ms and 9.98 s is
	// a gap (the others are under a twentieth of it).
	log(api, 0, 5*time.Millisecond, "accepted")
	log(compute, 10*time.Millisecond, 5*time.Millisecond, "build queued")
	log(compute, 10*time.Second, 20*time.Millisecond, "build done")
	log(api, 10*time.Second+50*time.Millisecond, 0, "answered")
	ts := newTestServer(t, nil, nil)
	seedWeb(t, ts, 20)
	if r := ts.post(t, tokAdmin, bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))); r.status != 200 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}

	r := ts.get(t, "/ui/requests/req-gap", tokAdmin)
	if r.status != 200 {
		t.Fatalf("request page: %d %s", r.status, r.body)
	}
	tbody := regexp.MustCompile(`(?s)<tbody>(.*)</tbody>`).Find(r.body)
	rowRE := regexp.MustCompile(`<tr class="(gap|lv-[a-z]+)">(?:<td colspan="9">— ([^<]+) with nothing running —</td></tr>|\s*<td class="t"><a href="/ui/events/[^"]+">([^<]+)</a>)`)
	var got []string
	for _, m := range rowRE.FindAllSubmatch(tbody, -1) {
		if string(m[1]) == "gap" {
			got = append(got, "gap "+string(m[2]))
		} else {
			got = append(got, string(m[3]))
		}
	}
	want := []string{timeString(t0), timeString(t0.Add(10 * time.Millisecond)), "gap 9.97 s",
		timeString(t0.Add(10 * time.Second)), timeString(t0.Add(10*time.Second + 50*time.Millisecond))}
	if !slices.Equal(got, want) {
		t.Errorf("the request's rows:\n%q\nwant\n%q", got, want)
	}
	// The waterfall: one shaded gap, from the end of the second call to
	// the start of the third, between their marks.
	gaps := regexp.MustCompile(`<rect class="gap" x="([^"]+)" y="18" width="([^"]+)" height="[^"]+"><title>gap: ([^<]+) with nothing running</title></rect>`).FindAllSubmatch(r.body, -1)
	if len(gaps) != 1 || string(gaps[0][3]) != "9.97 s" {
		t.Fatalf("the waterfall's gaps: %q", gaps)
	}
	gx, _ := strconv.ParseFloat(string(gaps[0][1]), 64)
	gw, _ := strconv.ParseFloat(string(gaps[0][2]), 64)
	// x = 170 + (t − start)/span · 720, start = t0 − 5 ms, span 10.055 s.
	x := func(d time.Duration) float64 {
		return 170 + float64(d+5*time.Millisecond)/float64(10055*time.Millisecond)*720
	}
	if abs(gx-x(10*time.Millisecond)) > 1e-6 || abs(gx+gw-x(9980*time.Millisecond)) > 1e-6 {
		t.Errorf("the gap spans x %v to %v, want %v to %v", gx, gx+gw, x(10*time.Millisecond), x(9980*time.Millisecond))
	}

	// A seeded request's calls nest inside its nova-api call: no gap.
	r = ts.get(t, "/ui/requests/req-00003", tokAdmin)
	if r.status != 200 || bytes.Contains(r.body, []byte(`class="gap"`)) {
		t.Errorf("request 3 (calls overlapping): %d, with a gap marked", r.status)
	}
}
