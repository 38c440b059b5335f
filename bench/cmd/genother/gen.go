package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// start is the fake clock's first reading.
var start = time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)

// stats describe what generate wrote.
type stats struct {
	lines int
	bytes int64
}

// generator holds the state of one run; everything it writes is a function
// of the seed.
type generator struct {
	rng      *rand.Rand
	now      time.Time
	begin    time.Time // the process start, for relative_created
	buf      []byte
	contexts [][]byte // pre-rendered context objects, as oslo.log writes them
	tick     int
}

type logger struct {
	name, path, module, fn string
}

var loggers = []logger{
	{"nova.api.openstack.wsgi", "/usr/lib/python3/dist-packages/nova/api/openstack/wsgi.py", "wsgi", "__call__"},
	{"nova.compute.manager", "/usr/lib/python3/dist-packages/nova/compute/manager.py", "manager", "_build_and_run_instance"},
	{"nova.scheduler.host_manager", "/usr/lib/python3/dist-packages/nova/scheduler/host_manager.py", "host_manager", "_get_host_states"},
	{"oslo_messaging._drivers.amqpdriver", "/usr/lib/python3/dist-packages/oslo_messaging/_drivers/amqpdriver.py", "amqpdriver", "__call__"},
	{"keystonemiddleware.auth_token", "/usr/lib/python3/dist-packages/keystonemiddleware/auth_token/__init__.py", "__init__", "process_request"},
	{"oslo_concurrency.lockutils", "/usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py", "lockutils", "inner"},
	{"nova.virt.libvirt.driver", "/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py", "driver", "_get_guest_xml"},
}

// Names from many languages, so that ensure_ascii writes \u escapes (and
// surrogate pairs for the emoji), as it does for a real cloud's tenants.
var serverNames = []string{"web-01", "db-primary", "Büro-Server", "café-prod", "テスト-インスタンス", "сервер-7",
	"数据库-主", "résumé-builder", "🚀-launcher", "ünïcödé-vm", "k8s-node-3", "λ-worker"}

var flavors = []string{"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge", "c4.2xlarge"}

// generate writes n lines made from seed to w.
func generate(w io.Writer, n int, seed uint64) (stats, error) {
	g := &generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d)),
		now:   start,
		begin: start.Add(-3 * time.Second),
	}
	for i := range 64 {
		g.contexts = append(g.contexts, g.context(i))
	}
	var st stats
	for st.lines < n {
		g.buf = g.record(g.buf[:0])
		g.buf = append(g.buf, '\n')
		m, err := w.Write(g.buf)
		st.bytes += int64(m)
		if err != nil {
			return st, err
		}
		st.lines++
	}
	return st, nil
}

func (g *generator) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func (g *generator) uuid() string {
	h := g.hex(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[g.rng.IntN(4)]) + h[17:20] + "-" + h[20:]
}

func pick[T any](g *generator, s []T) T { return s[g.rng.IntN(len(s))] }

// context renders one request context as oslo.log's _dictify_context does
// for an oslo_context RequestContext (the keys of to_dict, in its order).
func (g *generator) context(i int) []byte {
	user, project := g.hex(32), g.hex(32)
	var b []byte
	b = append(b, '{')
	kv := func(k string, v []byte) {
		if len(b) > 1 {
			b = append(b, ", "...)
		}
		b = appendPyString(b, k)
		b = append(b, ": "...)
		b = append(b, v...)
	}
	str := func(s string) []byte { return appendPyString(nil, s) }
	null := []byte("null")
	kv("user_name", str(fmt.Sprintf("user%d", i)))
	kv("project_name", str(pick(g, []string{"demo", "admin", "Ops Team", "Équipe-Réseau", "研究部"})))
	kv("domain_name", null)
	kv("user_domain_name", null)
	kv("project_domain_name", null)
	kv("user", str(user))
	kv("project_id", str(project))
	kv("system_scope", null)
	kv("project", str(project))
	kv("domain", null)
	kv("user_domain", str("default"))
	kv("project_domain", str("default"))
	kv("is_admin", []byte(strconv.FormatBool(i%9 == 0)))
	kv("read_only", []byte("false"))
	kv("show_deleted", []byte("false"))
	kv("auth_token", null)
	kv("request_id", str("req-"+g.uuid()))
	kv("global_request_id", str("req-"+g.uuid()))
	kv("resource_uuid", null)
	kv("roles", []byte(`["member", "reader"]`))
	kv("user_identity", str(user+" "+project+" - default default"))
	kv("is_admin_project", []byte("true"))
	return append(b, '}')
}

// record renders one log record the way oslo.log's JSONFormatter does:
// its keys in its order, through json.dumps (", " and ": ", ensure_ascii).
func (g *generator) record(b []byte) []byte {
	g.tick++
	g.now = g.now.Add(time.Duration(100+g.rng.IntN(5000)) * time.Microsecond)
	lg := pick(g, loggers)
	level, levelno := "INFO", 20
	var msg, tmpl string
	var args []string // rendered JSON values
	var tb []string
	summary := ""
	inRequest := true
	switch r := g.rng.IntN(100); {
	case r < 40: // a wsgi request line: quotes in it
		req := fmt.Sprintf("%s /v2.1/%s/servers/%s/action HTTP/1.1", pick(g, []string{"POST", "GET", "DELETE", "PUT"}), g.hex(32), g.uuid())
		status := pick(g, []int{200, 202, 202, 204, 404, 409})
		t := g.rng.Float64()
		client := fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(8), g.rng.IntN(256), 1+g.rng.IntN(254))
		tmpl = `%(client)s "%(request)s" status: %(status)s len: %(len)s time: %(time).7f`
		msg = fmt.Sprintf(`%s "%s" status: %d len: %d time: %.7f`, client, req, status, g.rng.IntN(4000), t)
		args = []string{`{"client": ` + string(appendPyString(nil, client)) + `, "request": ` + string(appendPyString(nil, req)) +
			`, "status": ` + strconv.Itoa(status) + `, "len": 0, "time": ` + strconv.FormatFloat(t, 'g', -1, 64) + `}`}
	case r < 55: // a long body dump: JSON inside the string, escaped quotes throughout
		level, levelno = "DEBUG", 10
		tmpl = "Action: '%s', calling method: %s, body: %s"
		body := g.body()
		msg = fmt.Sprintf("Action: 'create', calling method: <bound method ServersController.create of <nova.api.openstack.compute.servers.ServersController object at 0x7f%s>>, body: %s", g.hex(10), body)
		args = []string{string(appendPyString(nil, "create")), string(appendPyString(nil, "<bound method ServersController.create>")), string(appendPyString(nil, body))}
	case r < 65: // a lock line
		level, levelno = "DEBUG", 10
		tmpl = `Lock "%(name)s" acquired by "%(function)s" :: waited %(wait).3fs`
		msg = fmt.Sprintf(`Lock "compute_resources" acquired by "nova.compute.resource_tracker.ResourceTracker.%s" :: waited %.3fs`,
			pick(g, []string{"instance_claim", "_update_available_resource", "update_usage", "abort_instance_claim"}), g.rng.Float64())
		inRequest = g.rng.IntN(2) == 0
	case r < 75: // names in other scripts: \u escapes
		name := pick(g, serverNames)
		tmpl = "Instance %s (%s) spawned on the hypervisor in %.2f seconds."
		msg = fmt.Sprintf("[instance: %s] Instance «%s» spawned on the hypervisor in %.2f seconds. Took %.2f seconds to build — flavor %s, image %s",
			g.uuid(), name, 5+20*g.rng.Float64(), 10+40*g.rng.Float64(), pick(g, flavors), g.uuid())
	case r < 82: // an AMQP reply: a Python repr with u'' strings, tabs and a long list
		level, levelno = "DEBUG", 10
		lg = loggers[3]
		var sb strings.Builder
		fmt.Fprintf(&sb, "received reply msg_id: %s {'result': {'hosts': [", g.hex(32))
		for i := range 2 + g.rng.IntN(12) {
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "{u'host': u'compute-%d', u'free_ram_mb': %d, u'state': u'up\\t%s'}", g.rng.IntN(400), g.rng.IntN(262144), pick(g, []string{"ok", "draining", "ünknown"}))
		}
		sb.WriteString("]}, 'failure': None}")
		msg = sb.String()
		tmpl = msg
		inRequest = false
	case r < 92:
		level, levelno = "WARNING", 30
		tmpl = "Instance %s is paused; skipping"
		msg = fmt.Sprintf("[instance: %s] Instance is paused; skipping\n\tnext attempt in %d s", g.uuid(), 5+g.rng.IntN(60))
	default: // an error with its chained traceback, as a list of lines
		level, levelno = "ERROR", 40
		if g.rng.IntN(10) == 0 {
			level, levelno = "CRITICAL", 50
		}
		fl := pick(g, flavors) + pick(g, []string{"", "-ünïq", "\x1b[31m"})
		tmpl = "Unexpected exception in API method"
		msg = "Unexpected exception in API method\nFlavor " + fl + " could not be found."
		tb = []string{
			"Traceback (most recent call last):",
			`  File "/usr/lib/python3/dist-packages/nova/api/openstack/wsgi.py", line 658, in wrapped`,
			"    return f(*args, **kwargs)",
			`  File "/usr/lib/python3/dist-packages/nova/compute/flavors.py", line 201, in get_flavor_by_flavor_id`,
			"    return objects.Flavor.get_by_flavor_id(ctxt, flavorid, read_deleted)",
			"KeyError: '" + fl + "'",
			"",
			"The above exception was the direct cause of the following exception:",
			"",
			"Traceback (most recent call last):",
			`  File "/usr/lib/python3/dist-packages/nova/api/openstack/compute/servers.py", line 715, in create`,
			"    raise exc.HTTPBadRequest(explanation=error.format_message())",
			"nova.exception.FlavorNotFound: Flavor " + fl + " could not be found.",
		}
		summary = "nova.exception.FlavorNotFound: Flavor " + fl + " could not be found."
	}
	if tmpl == "" {
		tmpl = msg
	}
	created := float64(g.now.UnixMicro()) / 1e6
	msecs := float64(g.now.Nanosecond()/1e6) + 0.0
	b = append(b, `{"message": `...)
	b = appendPyString(b, msg)
	b = append(b, `, "asctime": `...)
	b = appendPyString(b, g.now.Format("2006-01-02 15:04:05")+fmt.Sprintf(",%03d", g.now.Nanosecond()/1e6))
	b = append(b, `, "name": `...)
	b = appendPyString(b, lg.name)
	b = append(b, `, "msg": `...)
	b = appendPyString(b, tmpl)
	b = append(b, `, "args": `...)
	if len(args) == 1 && strings.HasPrefix(args[0], "{") {
		b = append(b, args[0]...)
	} else {
		b = append(b, '[')
		b = append(b, strings.Join(args, ", ")...)
		b = append(b, ']')
	}
	b = append(b, `, "levelname": `...)
	b = appendPyString(b, level)
	b = append(b, `, "levelno": `...)
	b = strconv.AppendInt(b, int64(levelno), 10)
	b = append(b, `, "pathname": `...)
	b = appendPyString(b, lg.path)
	b = append(b, `, "filename": `...)
	b = appendPyString(b, lg.path[strings.LastIndexByte(lg.path, '/')+1:])
	b = append(b, `, "module": `...)
	b = appendPyString(b, lg.module)
	b = append(b, `, "lineno": `...)
	b = strconv.AppendInt(b, int64(40+g.rng.IntN(1800)), 10)
	b = append(b, `, "funcname": `...)
	b = appendPyString(b, lg.fn)
	b = append(b, `, "created": `...)
	b = appendPyFloat(b, created)
	b = append(b, `, "msecs": `...)
	b = appendPyFloat(b, msecs)
	b = append(b, `, "relative_created": `...)
	b = appendPyFloat(b, float64(g.now.Sub(g.begin).Nanoseconds())/1e6)
	b = append(b, `, "thread": `...)
	b = strconv.AppendInt(b, 140245383096128+int64(g.rng.IntN(4))*8392704, 10)
	b = append(b, `, "thread_name": "MainThread", "process_name": "MainProcess", "process": `...)
	b = strconv.AppendInt(b, int64(2000+g.tick%7), 10)
	b = append(b, `, "traceback": `...)
	if tb == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, l := range tb {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendPyString(b, l)
		}
		b = append(b, ']')
	}
	b = append(b, `, "hostname": `...)
	b = appendPyString(b, fmt.Sprintf("compute-%02d", g.tick%13))
	b = append(b, `, "error_summary": `...)
	b = appendPyString(b, summary)
	b = append(b, `, "context": `...)
	if inRequest {
		b = append(b, g.contexts[g.rng.IntN(len(g.contexts))]...)
	} else {
		b = append(b, "{}"...)
	}
	b = append(b, `, "extra": `...)
	if inRequest && g.rng.IntN(3) == 0 {
		b = append(b, `{"project": "unknown", "version": "unknown", "instance": `...)
		b = appendPyString(b, "[instance: "+g.uuid()+"] ")
		b = append(b, '}')
	} else {
		b = append(b, "{}"...)
	}
	return append(b, '}')
}

// body is a request body as nova logs it: JSON text inside the message,
// from a few hundred bytes to several kilobytes.
func (g *generator) body() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, `{"server": {"name": %q, "imageRef": "%s", "flavorRef": "%d", "networks": [`, pick(g, serverNames), g.uuid(), 1+g.rng.IntN(9))
	for i := range 1 + g.rng.IntN(4) {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, `{"uuid": "%s", "fixed_ip": "10.%d.%d.%d"}`, g.uuid(), g.rng.IntN(8), g.rng.IntN(256), g.rng.IntN(256))
	}
	sb.WriteString(`], "metadata": {`)
	for i := range g.rng.IntN(12) {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, `"key-%d": "value with \"quotes\" and a \\ backslash %s"`, i, g.hex(8+g.rng.IntN(40)))
	}
	fmt.Fprintf(&sb, `}, "user_data": "%s"}}`, g.hex(16+g.rng.IntN(200)))
	return sb.String()
}

// appendPyString appends s as Python's json.dumps writes a string with
// ensure_ascii: ASCII as it is except quote, backslash and controls, every
// other character as \uXXXX (a surrogate pair above U+FFFF).
func appendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r < 0x20 || r >= utf8.RuneSelf:
			if r > 0xffff {
				r -= 0x10000
				hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
				b = append(b, '\\', 'u', hex[hi>>12], hex[hi>>8&15], hex[hi>>4&15], hex[hi&15])
				r = lo
			}
			b = append(b, '\\', 'u', hex[r>>12], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		default:
			b = append(b, byte(r))
		}
	}
	return append(b, '"')
}

// appendPyFloat appends f as Python's repr writes a float: the shortest
// digits that read back, always with a '.' or an exponent.
func appendPyFloat(b []byte, f float64) []byte {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	} else if strings.Contains(s, "e") && f > 1e-4 && f < 1e16 {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return append(b, s...)
}
