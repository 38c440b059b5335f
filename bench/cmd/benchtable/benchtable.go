package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// options are the command line.
type options struct {
	strict bool
	files  []string
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("benchtable", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts options
	fs.BoolVar(&opts.strict, "strict", false, "exit 1 when a check fails or a benchmark is missing")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts.files = fs.Args()

	res := newResults()
	if len(opts.files) == 0 {
		if err := res.parse(stdin); err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 2
		}
	}
	for _, name := range opts.files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 2
		}
		err = res.parse(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "benchtable: %s: %v\n", name, err)
			return 2
		}
	}
	if len(res.order) == 0 {
		fmt.Fprintln(stderr, "benchtable: no benchmark results in the input")
		return 2
	}

	writeResults(stdout, res)
	fmt.Fprintln(stdout)
	failed := writeChecks(stdout, res, checks)
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d of %d checks failed.\n", failed, len(checks))
		if opts.strict {
			return 1
		}
	} else {
		fmt.Fprintf(stdout, "\nAll %d checks passed.\n", len(checks))
	}
	return 0
}

// results holds every sample of every metric, by benchmark name (without
// the Benchmark prefix and the -GOMAXPROCS suffix) and unit.
type results struct {
	order   []string // benchmark names in the order first seen
	samples map[string]map[string][]float64
	env     []string // goos, goarch, cpu… lines, for the table's caption
}

func newResults() *results {
	return &results{samples: map[string]map[string][]float64{}}
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads go test -bench output. Lines that are not results are
// skipped, except the goos/goarch/cpu header, which is kept once.
func (r *results) parse(in io.Reader) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []string{"goos:", "goarch:", "cpu:"} {
			if strings.HasPrefix(line, k) && !slices.Contains(r.env, line) {
				r.env = append(r.env, line)
			}
		}
		f := strings.Fields(line)
		// Name, iterations, then value-unit pairs.
		if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		m := r.samples[name]
		if m == nil {
			m = map[string][]float64{}
			r.samples[name] = m
			r.order = append(r.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("bad value %q in %q", f[i], line)
			}
			m[f[i+1]] = append(m[f[i+1]], v)
		}
	}
	return sc.Err()
}

// median returns the median of benchmark name's unit, and false when there
// is no sample.
func (r *results) median(name, unit string) (float64, bool) {
	s := slices.Clone(r.samples[name][unit])
	if len(s) == 0 {
		return 0, false
	}
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

func writeResults(w io.Writer, r *results) {
	if len(r.env) > 0 {
		fmt.Fprintf(w, "%s\n\n", strings.Join(r.env, ", "))
	}
	fmt.Fprintln(w, "| benchmark | runs | ns/op (median) | B/op | allocs/op | MB/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, name := range r.order {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", name,
			len(r.samples[name]["ns/op"]),
			r.cell(name, "ns/op", 1), r.cell(name, "B/op", 0),
			r.cell(name, "allocs/op", 0), r.cell(name, "MB/s", 1))
	}
}

func (r *results) cell(name, unit string, prec int) string {
	v, ok := r.median(name, unit)
	if !ok {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// A check compares the median of num's unit, divided by den's when den is
// set, with max. When base is set, its median is first subtracted from num
// and from den, so that the check compares what num and den add to base: a
// middleware's overhead over the bare handler, say.
type check struct {
	num, den string
	base     string
	unit     string
	max      float64
	info     bool // shown for context; no target
}

func (c check) String() string {
	num, den := c.num, lastPart(c.den)
	if c.base != "" {
		num = fmt.Sprintf("(%s − %s)", c.num, lastPart(c.base))
		den = fmt.Sprintf("(%s − %s)", den, lastPart(c.base))
	}
	if c.den == "" {
		return fmt.Sprintf("%s %s", num, c.unit)
	}
	return fmt.Sprintf("%s ÷ %s %s", num, den, c.unit)
}

func (c check) target() string {
	if c.info {
		return "–"
	}
	if c.max == 0 {
		return "= 0"
	}
	return "≤ " + strconv.FormatFloat(c.max, 'f', -1, 64)
}

func lastPart(name string) string { return name[strings.LastIndexByte(name, '/')+1:] }

// checks are the project's performance targets.
var checks = func() []check {
	var cs []check
	for _, mode := range []string{"serial", "parallel"} {
		p := "Line/" + mode + "/"
		cs = append(cs,
			check{num: p + "auditlog-typed", den: p + "zerolog", unit: "ns/op", max: 0.8},
			check{num: p + "auditlog-typed", unit: "allocs/op", max: 0},
			check{num: p + "auditlog-slog", den: p + "slog-json", unit: "ns/op", max: 0.5},
			check{num: p + "auditlog-slog", den: p + "zerolog", unit: "ns/op", max: 1.3},
		)
		// A plain slog user's three calls (LogAttrs, key/value pairs, a
		// With logger), each against slog's JSONHandler making the same
		// call, and against zerolog. Allocations are counted over the
		// SlogFloor benchmark of the same call: those slog.Logger and
		// slog.Group make are the caller's, whatever the handler.
		for _, v := range []string{"plain", "kv", "with"} {
			cs = append(cs,
				check{num: p + "auditlog-" + v, den: p + "slog-json-" + v, unit: "ns/op", max: 0.5},
				check{num: p + "auditlog-" + v, den: p + "zerolog", unit: "ns/op", max: 1.3},
				check{num: p + "auditlog-" + v, base: "SlogFloor/" + v, unit: "allocs/op", max: 1},
			)
		}
	}
	cs = append(cs, check{num: "SlogFloor/logger", den: "Line/serial/zerolog", unit: "ns/op", info: true})
	// What slog.Logger costs the caller of each plain call, before any
	// handler work, against zerolog's whole line: the part of the 1.3×
	// budget no handler can win back.
	for _, v := range []string{"plain", "kv", "with"} {
		cs = append(cs, check{num: "SlogFloor/" + v, den: "Line/serial/zerolog", unit: "ns/op", info: true})
	}
	return append(cs,
		check{num: "AttachContext/new-context", unit: "ns/op", max: 100},
		check{num: "AttachContext/attachment", unit: "ns/op", max: 100},
		// The HTTP middleware's cost over the bare handler, against a
		// minimal slog access log's, which does less per request.
		check{num: "HTTP/auditlog", den: "HTTP/slog-access", base: "HTTP/bare", unit: "ns/op", max: 1.0},
		check{num: "HTTP/auditlog", den: "HTTP/otelhttp", base: "HTTP/bare", unit: "ns/op", info: true},
		// A point query on in-memory SQLite through sqlaudit against plain
		// database/sql: at most 10% more, (auditlog − bare) ÷ bare ≤ 0.10.
		check{num: "SQL/auditlog", den: "SQL/bare", unit: "ns/op", max: 1.10},
		// The same in CPU time, the steadier measure on a shared machine
		// (see bench/sql_bench_test.go).
		check{num: "SQL/auditlog", den: "SQL/bare", unit: "cpu-ns/op", info: true},
		// The gRPC interceptors' cost over a bare handler, against
		// go-grpc-middleware's logging interceptor writing through slog.
		check{num: "GRPC/auditlog", den: "GRPC/grpcmw-slog", base: "GRPC/bare", unit: "ns/op", max: 1.0},
	)
}()

// writeChecks writes the checks table and returns how many failed. A check
// whose benchmarks are missing fails.
func writeChecks(w io.Writer, r *results, cs []check) (failed int) {
	fmt.Fprintln(w, "| check | value | target | result |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	for _, c := range cs {
		value, ok := c.eval(r)
		verdict := "PASS"
		if !ok {
			value, verdict = "missing", "FAIL"
		} else if c.info {
			verdict = "info"
		} else if v, _ := strconv.ParseFloat(value, 64); v > c.max {
			verdict = "FAIL"
		}
		if verdict == "FAIL" {
			failed++
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", c, value, c.target(), verdict)
	}
	return failed
}

// eval returns the check's value as it is shown, rounded as it is compared.
func (c check) eval(r *results) (string, bool) {
	n, ok := r.median(c.num, c.unit)
	if !ok {
		return "", false
	}
	var base float64
	if c.base != "" {
		if base, ok = r.median(c.base, c.unit); !ok {
			return "", false
		}
		n -= base
	}
	if c.den == "" {
		return strconv.FormatFloat(math.Round(n*10)/10, 'f', -1, 64), true
	}
	d, ok := r.median(c.den, c.unit)
	if !ok {
		return "", false
	}
	// A denominator at or below zero (den no slower than base) has no
	// meaningful ratio.
	if d -= base; d <= 0 {
		return "", false
	}
	return strconv.FormatFloat(n/d, 'f', 2, 64), true
}
