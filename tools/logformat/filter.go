package logformat

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/logline"
)

// Filter selects lines. All its conditions must hold. A zero Filter keeps
// every line.
type Filter struct {
	MinLevel string   // keep lines at this level or above (DEBUG … CRITICAL, or any name logline.ParseLevel reads)
	Levels   []string // keep only lines at exactly one of these levels (convert-json's --levels)
	Where    []string // conditions "path OP value", OP one of = != ~ !~ < <= > >=, or a bare path (present)
	Since    time.Time
	Until    time.Time // exclusive
	Request  string    // a request id: lines whose request id or global request id is this
	Services []string  // keep lines whose service (or logger name) starts with one of these
	Location *time.Location
	// LevelKey, when set, is the one key the level is read from (no
	// aliases), convert-json's --levelkey; Levels then also match its value
	// exactly as text, so a key holding other words (a thread name) can be
	// selected as convert-json selects it.
	LevelKey string
}

// Active reports whether the filter can drop anything.
func (f *Filter) Active() bool {
	return f.MinLevel != "" || len(f.Levels) > 0 || len(f.Where) > 0 || !f.Since.IsZero() || !f.Until.IsZero() ||
		f.Request != "" || len(f.Services) > 0
}

// compiled is a Filter ready to run against extracted values.
type compiled struct {
	on       bool
	minRank  int
	ranks    map[int]bool
	texts    map[string]bool // with LevelKey: the --levels as written
	level    logline.Lookup
	conds    []cond
	ts       logline.Lookup
	since    time.Time
	until    time.Time
	loc      *time.Location
	request  []byte
	reqs     []logline.Lookup
	services []string
	service  logline.Lookup
	tmp      []byte
}

type cond struct {
	look logline.Lookup
	op   string
	val  string
	num  float64
	isN  bool
	re   *regexp.Regexp
}

var whereOps = []string{"!=", "!~", "<=", ">=", "=", "~", "<", ">"}

func (f *Filter) compile(fields *logline.Fields, aliases bool) (*compiled, error) {
	c := &compiled{on: f.Active(), since: f.Since, until: f.Until, loc: f.Location}
	if !c.on {
		return c, nil
	}
	levelLookup := func() logline.Lookup {
		if f.LevelKey != "" {
			return fields.AddLookup(f.LevelKey, false)
		}
		return fields.AddLookup("level", true)
	}
	if f.MinLevel != "" {
		_, rank, ok := logline.ParseLevel(f.MinLevel)
		if !ok {
			return nil, fmt.Errorf("--level %q: not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL)", f.MinLevel)
		}
		c.minRank = rank
		c.level = levelLookup()
	}
	if len(f.Levels) > 0 {
		c.ranks = make(map[int]bool)
		if f.LevelKey != "" {
			c.texts = make(map[string]bool)
		}
		for _, l := range f.Levels {
			if c.texts != nil {
				c.texts[l] = true
			}
			_, rank, ok := logline.ParseLevel(l)
			if !ok && c.texts == nil {
				return nil, fmt.Errorf("--levels %q: not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL; with --levelkey, any word)", l)
			}
			if ok {
				c.ranks[rank] = true
			}
		}
		c.level = levelLookup()
	}
	for _, w := range f.Where {
		cd, err := parseCond(w)
		if err != nil {
			return nil, err
		}
		cd.look = fields.AddLookup(cd.look.Path, aliases)
		c.conds = append(c.conds, cd)
	}
	if !f.Since.IsZero() || !f.Until.IsZero() {
		c.ts = fields.AddLookup("timestamp", true)
	}
	if f.Request != "" {
		c.request = []byte(f.Request)
		c.reqs = []logline.Lookup{
			fields.AddLookup("context.request_id", true),
			fields.AddLookup("context.global_request_id", true),
		}
	}
	if len(f.Services) > 0 {
		c.services = f.Services
		c.service = fields.AddLookup("service", true)
	}
	return c, nil
}

func parseCond(w string) (cond, error) {
	at, op := -1, ""
	for i := 0; i < len(w) && at < 0; i++ {
		for _, o := range whereOps {
			if strings.HasPrefix(w[i:], o) {
				at, op = i, o
				break
			}
		}
	}
	if at < 0 {
		path := strings.TrimSpace(w)
		if path == "" || strings.Contains(path, "..") || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") {
			return cond{}, fmt.Errorf("--where %q: want path=value, path!=value, path~regexp, path>number…, or a bare path", w)
		}
		return cond{look: logline.Lookup{Path: path}, op: "has"}, nil
	}
	path, val := strings.TrimSpace(w[:at]), w[at+len(op):]
	if path == "" || strings.Contains(path, "..") || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") {
		return cond{}, fmt.Errorf("--where %q: the path before %q is not a dotted key", w, op)
	}
	c := cond{look: logline.Lookup{Path: path}, op: op, val: val}
	switch op {
	case "~", "!~":
		re, err := regexp.Compile(val)
		if err != nil {
			return cond{}, fmt.Errorf("--where %q: %v", w, err)
		}
		c.re = re
	case "<", "<=", ">", ">=":
		n, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return cond{}, fmt.Errorf("--where %q: %s compares numbers, and %q is not one", w, op, val)
		}
		c.num, c.isN = n, true
	}
	return c, nil
}

// match reports whether the line whose values are vals passes.
func (c *compiled) match(vals [][]byte) bool {
	if !c.on {
		return true
	}
	if c.minRank > 0 {
		_, rank, ok := logline.LevelOf(c.level.Get(vals))
		if !ok || rank < c.minRank {
			return false
		}
	}
	if c.ranks != nil {
		v := c.level.Get(vals)
		if _, rank, ok := logline.LevelOf(v); (!ok || !c.ranks[rank]) && !c.levelText(v) {
			return false
		}
	}
	for i := range c.conds {
		if !c.conds[i].match(vals, c) {
			return false
		}
	}
	if c.ts.Path != "" {
		t, ok := logline.ParseTime(c.ts.Get(vals), c.loc)
		if !ok || (!c.since.IsZero() && t.Before(c.since)) || (!c.until.IsZero() && !t.Before(c.until)) {
			return false
		}
	}
	if c.request != nil {
		found := false
		for _, l := range c.reqs {
			if v := l.Get(vals); v != nil && bytes.Equal(trimQuotes(v), c.request) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if c.services != nil {
		v := c.service.Get(vals)
		if v == nil {
			return false
		}
		c.tmp = logline.AppendText(c.tmp[:0], v, false)
		ok := false
		for _, p := range c.services {
			if bytes.HasPrefix(c.tmp, []byte(p)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (cd *cond) match(vals [][]byte, c *compiled) bool {
	v := cd.look.Get(vals)
	if cd.op == "has" {
		return v != nil
	}
	if v == nil {
		return cd.op == "!=" || cd.op == "!~"
	}
	if cd.isN {
		f, ok := number(v)
		if !ok {
			return false
		}
		switch cd.op {
		case "<":
			return f < cd.num
		case "<=":
			return f <= cd.num
		case ">":
			return f > cd.num
		default:
			return f >= cd.num
		}
	}
	c.tmp = logline.AppendText(c.tmp[:0], v, false)
	switch cd.op {
	case "=":
		return string(c.tmp) == cd.val
	case "!=":
		return string(c.tmp) != cd.val
	case "~":
		return cd.re.Match(c.tmp)
	default:
		return !cd.re.Match(c.tmp)
	}
}

// levelText reports whether v is, as text, one of the --levels given with
// --levelkey (convert-json's exact match).
func (c *compiled) levelText(v []byte) bool {
	if c.texts == nil || v == nil {
		return false
	}
	c.tmp = logline.AppendText(c.tmp[:0], v, false)
	return c.texts[string(c.tmp)]
}

func trimQuotes(v []byte) []byte {
	if len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1]
	}
	return logline.AppendText(nil, v, false)
}

// matchText decides a line that is not JSON, when a filter is on: --request
// keeps text lines that mention the id, --level reads the level of an
// oslo.log text line; a text line that no given condition can be checked
// against is dropped, since it cannot be shown to match.
func (f *Filter) matchText(line []byte, minRank int) bool {
	if len(f.Levels) > 0 || len(f.Where) > 0 || !f.Since.IsZero() || !f.Until.IsZero() || len(f.Services) > 0 {
		return false
	}
	if f.Request != "" && !bytes.Contains(line, []byte(f.Request)) {
		return false
	}
	if minRank > 0 {
		rank, ok := textLevel(line)
		if !ok || rank < minRank {
			return false
		}
	}
	return true
}

// textLevel finds the level word of an oslo.log text line
// ("2015-10-29 10:00:00.123 4567 ERROR nova.api …"). TRACE lines are the
// traceback that follows an ERROR, so they rank as errors.
func textLevel(line []byte) (int, bool) {
	head := line
	if len(head) > 96 {
		head = head[:96]
	}
	for _, l := range []struct {
		word string
		rank int
	}{
		{" DEBUG ", logline.RankDebug}, {" INFO ", logline.RankInfo}, {" AUDIT ", logline.RankAudit},
		{" WARNING ", logline.RankWarning}, {" WARN ", logline.RankWarning}, {" ERROR ", logline.RankError},
		{" TRACE ", logline.RankError}, {" CRITICAL ", logline.RankCritical},
	} {
		if bytes.Contains(head, []byte(l.word)) {
			return l.rank, true
		}
	}
	return 0, false
}
