package oslolog

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/input"
)

// sampleCounts is what TestSamples asserts for one file. Records counts the
// records with a request context by shape: NoCtx has none (traceback lines
// that could not be joined), Dash is "[-]", ReqID has a request id, User a
// user id or name, Instance an "[instance: …]".
type sampleCounts struct {
	Lines, Records, Continued, Joined, Dropped, Malformed int64
	NoCtx, Dash, ReqID, User, Instance                    int
	Levels                                                map[string]int
}

// samples are the expected counts for every log in sampleDir, verified
// apart from the Go code by testdata/count.sh, which does the same with
// grep-style regular expressions in awk:
//
//	cd ../../../shared/data/openstack && LC_ALL=C $OLDPWD/testdata/count.sh $(find . -name '*.log' -o -name '*.gz' -o -name '*.log.1' | sort)
//
// Its output matched these numbers field for field. Some plain checks
// agree too: the records are the lines that `grep -cE '^[0-9]{4}-[0-9]{2}-
// [0-9]{2} [0-9:.]+ '` counts minus the joined traceback lines (for
// nova-api.log-20151113: 612,507 such lines, 585,273 joined, and 7 garbled
// lines where two processes wrote into each other, which are continuation
// lines); screen-n-api and screen-q-svc start with four "+ …" lines of
// shell trace, the only malformed lines (no record before them); and the 11
// records of neutron server.log-20151124 with more than 1,000 continuation
// lines (JSON dumps of up to 2,383 lines after "Routers returned to l3
// agent:") are the 3,330 dropped lines. Lines is `wc -l`, plus one for the
// two Loghub files, which have no final newline.
var samples = map[string]sampleCounts{
	"hotsos/nova-compute.log.1.gz": {
		Lines: 23272, Records: 12631, Continued: 10641, Joined: 2297,
		Dash: 2221, ReqID: 10410,
		Levels: map[string]int{"CRITICAL": 8, "DEBUG": 12196, "ERROR": 172, "INFO": 79, "WARNING": 176},
	},
	"loghub/OpenStack_2k.log": {
		Lines: 2000, Records: 2000,
		Dash: 155, ReqID: 1845, User: 1191, Instance: 535,
		Levels: map[string]int{"INFO": 1969, "WARNING": 31},
	},
	"loghub-2.0/OpenStack_2k.log": {
		Lines: 2000, Records: 2000,
		Dash: 155, ReqID: 1845, User: 1191, Instance: 535,
		Levels: map[string]int{"INFO": 1969, "WARNING": 31},
	},
	"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/neutron/server.log": {
		Lines: 2981, Records: 2487, Continued: 494, Joined: 325,
		NoCtx: 3, Dash: 1690, ReqID: 794,
		Levels: map[string]int{"CRITICAL": 3, "DEBUG": 2201, "ERROR": 4, "INFO": 259, "TRACE": 3, "WARNING": 17},
	},
	"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-api.log": {
		Lines: 2294, Records: 2188, Continued: 106, Joined: 59,
		Dash: 2127, ReqID: 61, Instance: 2,
		Levels: map[string]int{"AUDIT": 7, "DEBUG": 2054, "ERROR": 1, "INFO": 118, "WARNING": 8},
	},
	"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-compute.log": {
		Lines: 1636, Records: 1435, Continued: 201,
		Dash: 952, ReqID: 483, Instance: 44,
		Levels: map[string]int{"AUDIT": 26, "DEBUG": 1372, "INFO": 37},
	},
	"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/vmlife.log": {
		Lines: 5, Records: 5, Dash: 5, Instance: 5,
		Levels: map[string]int{"INFO": 5},
	},
	"os-log-merger/debug-live-migration/hp-ms-01-c30/var/log/nova/nova-compute.log": {
		Lines: 1671, Records: 1485, Continued: 186,
		Dash: 1167, ReqID: 318, Instance: 44,
		Levels: map[string]int{"AUDIT": 26, "DEBUG": 1421, "INFO": 36, "WARNING": 2},
	},
	"os-log-merger/debug-live-migration/hp-ms-01-c30/var/log/nova/vmlife.log": {
		Lines: 4, Records: 4, Dash: 4, Instance: 4,
		Levels: map[string]int{"INFO": 4},
	},
	"os-log-merger/debug-router-net-vm-creation/controller1/var/log/neutron/server.log-20151124.gz": {
		Lines: 60487, Records: 38440, Continued: 22047, Joined: 87, Dropped: 3330,
		Dash: 18414, ReqID: 20026,
		Levels: map[string]int{"DEBUG": 30545, "ERROR": 166, "INFO": 7277, "WARNING": 452},
	},
	"os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-api.log-20151113.gz": {
		Lines: 612511, Records: 27227, Continued: 585284, Joined: 585273,
		NoCtx: 25, Dash: 472, ReqID: 26730, User: 26693,
		Levels: map[string]int{"ERROR": 8735, "INFO": 18310, "TRACE": 25, "WARNING": 157},
	},
	"os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-compute.log-20151124.gz": {
		Lines: 61553, Records: 9629, Continued: 51924, Joined: 51636,
		Dash: 37, ReqID: 9592, User: 41, Instance: 1409,
		Levels: map[string]int{"ERROR": 1324, "INFO": 8290, "WARNING": 15},
	},
	"os-log-merger/debug-router-net-vm-creation/networker2/var/log/nova/nova-compute.log-20151124.gz": {
		Lines: 61582, Records: 9715, Continued: 51867, Joined: 51579,
		Dash: 109, ReqID: 9606, User: 33, Instance: 1386,
		Levels: map[string]int{"ERROR": 1433, "INFO": 8267, "WARNING": 15},
	},
	"os-log-merger/debug-router-net-vm-creation/networker3/var/log/nova/nova-compute.log-20151124.gz": {
		Lines: 61463, Records: 9578, Continued: 51885, Joined: 51597,
		Dash: 82, ReqID: 9496, User: 23, Instance: 1364,
		Levels: map[string]int{"ERROR": 1406, "INFO": 8157, "WARNING": 15},
	},
	"os-loganalyze/screen-n-api.txt.gz": {
		Lines: 50745, Records: 14889, Continued: 35852, Malformed: 4,
		Dash: 8846, ReqID: 6043, User: 5736, Instance: 45,
		Levels: map[string]int{"AUDIT": 271, "DEBUG": 11886, "ERROR": 5, "INFO": 2721, "WARNING": 6},
	},
	"os-loganalyze/screen-q-svc.txt.gz": {
		Lines: 47887, Records: 43966, Continued: 3917, Joined: 589, Malformed: 4,
		Dash:   43966,
		Levels: map[string]int{"CRITICAL": 1, "DEBUG": 43583, "ERROR": 72, "INFO": 262, "WARNING": 48},
	},
}

// readSample returns the lines of a sample, unpacked if it is gzipped,
// each without "\n" but with a '\r' before it left in place, so that the
// parser's own handling of CRLF is what the test sees.
func readSample(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(osdata.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data)
		}
		lines = append(lines, data[:i])
		data = data[min(i+1, len(data)):]
	}
	return lines
}

// groupSample groups the lines of a sample and calls f with each record.
func groupSample(t testing.TB, name string, f func(Record)) Stats {
	g := NewGrouper(nil)
	for i, l := range readSample(t, name) {
		if r, ok := g.Add(name, int64(i+1), l); ok {
			f(r)
		}
	}
	if r, ok := g.Flush(); ok {
		f(r)
	}
	return g.Stats()
}

func TestSamples(t *testing.T) {
	// Every sample is listed.
	var found []string
	sampleDir := osdata.Dir(t)
	filepath.WalkDir(sampleDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".gz") || strings.Contains(filepath.Base(p), ".log")) &&
			!strings.HasSuffix(p, ".csv") {
			rel, _ := filepath.Rel(sampleDir, p)
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(found) == 0 {
		t.Fatalf("no samples found under %s", sampleDir)
	}
	slices.Sort(found)
	if want := slices.Sorted(maps.Keys(samples)); !slices.Equal(found, want) {
		t.Errorf("samples on disk:\n%q\nin the test:\n%q", found, want)
	}

	for _, name := range slices.Sorted(maps.Keys(samples)) {
		want := samples[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := sampleCounts{Levels: map[string]int{}}
			var lines int64
			s := groupSample(t, name, func(r Record) {
				lines += int64(r.Lines)
				got.Levels[r.Level]++
				switch {
				case !r.HasContext():
					got.NoCtx++
				case r.Context.Raw == "-":
					got.Dash++
				}
				if r.Context.RequestID != "" {
					got.ReqID++
				}
				if r.Context.User != "" {
					got.User++
				}
				if r.Instance != "" {
					got.Instance++
				}
				if r.Time.IsZero() || r.Line < 1 || r.File != name {
					t.Errorf("record at line %d: Time %v File %q", r.Line, r.Time, r.File)
				}
			})
			got.Lines, got.Records, got.Continued, got.Joined, got.Dropped, got.Malformed = s.Lines, s.Records, s.Continued, s.Joined, s.Dropped, s.Malformed
			if sprint(got) != sprint(want) {
				t.Errorf("\n-%+v\n+%+v", want, got)
			}
			// Every line is in one record or malformed.
			if lines+s.Malformed != s.Lines {
				t.Errorf("records span %d lines and %d are malformed, of %d", lines, s.Malformed, s.Lines)
			}
		})
	}
}

// TestSampleRecords checks chosen records of the samples field by field.
func TestSampleRecords(t *testing.T) {
	type pick struct {
		file string
		line int64
		want Record
	}
	const (
		apiLog     = "os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-api.log-20151113.gz"
		computeLog = "os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-compute.log-20151124.gz"
		screenAPI  = "os-loganalyze/screen-n-api.txt.gz"
		hotsos     = "hotsos/nova-compute.log.1.gz"
		neutron    = "os-log-merger/debug-router-net-vm-creation/controller1/var/log/neutron/server.log-20151124.gz"
		loghub     = "loghub/OpenStack_2k.log"
	)
	picks := []pick{{
		// The last error of the loop: `sed -n 612442,612511p` shows it, 67
		// TRACE lines with its timestamp and PID, then its access lines.
		apiLog, 612442, Record{Source: apiLog, File: apiLog, Line: 612442, Lines: 68, Time: ts("2015-11-13 03:22:26.973"), Millis: true,
			PID: 16482, Level: "ERROR", Logger: "nova.api.openstack",
			Context: Context{RequestID: "req-31acef6c-c149-4d6b-b7d6-af6805f17437", User: "e75fdba5ff464c80b1c016b634285e49", Project: "d8198f0b982742d0825018545be88282",
				Raw: "req-31acef6c-c149-4d6b-b7d6-af6805f17437 e75fdba5ff464c80b1c016b634285e49 d8198f0b982742d0825018545be88282 - - -"},
			Message: "Caught error: Unable to establish connection to http://10.211.55.142:9696/v2.0/ports.json?device_id=1478118e-7ac4-4269-a688-f59619a73cb4&device_id=e2c63d96-389a-412d-aebd-8c9accf75c57"},
	}, {
		apiLog, 612511, Record{Source: apiLog, File: apiLog, Line: 612511, Lines: 1, Time: ts("2015-11-13 03:22:26.974"), Millis: true,
			PID: 16482, Level: "INFO", Logger: "nova.osapi_compute.wsgi.server",
			Context: Context{RequestID: "req-31acef6c-c149-4d6b-b7d6-af6805f17437", User: "e75fdba5ff464c80b1c016b634285e49", Project: "d8198f0b982742d0825018545be88282",
				Raw: "req-31acef6c-c149-4d6b-b7d6-af6805f17437 e75fdba5ff464c80b1c016b634285e49 d8198f0b982742d0825018545be88282 - - -"},
			Message: `10.211.55.140 "GET /v2/d8198f0b982742d0825018545be88282/servers/detail?all_tenants=True&host=osp7_networker3_1447326248174_60251 HTTP/1.1" status: 500 len: 359 time: 0.0387890`},
	}, {
		// Lines 410 to 448 are its TRACE lines, each with "[instance: …]".
		computeLog, 409, Record{Source: computeLog, File: computeLog, Line: 409, Lines: 40, Time: ts("2015-11-12 13:18:46.998"), Millis: true,
			PID: 18756, Level: "ERROR", Logger: "nova.compute.manager",
			Context:  Context{RequestID: "req-f54e5876-1c37-404d-ba8b-1c413f80fb7a", Raw: "req-f54e5876-1c37-404d-ba8b-1c413f80fb7a - - - - -"},
			Instance: "832a516b-4f20-4475-9532-4cf3e9feb3e8", Message: "An error occurred while refreshing the network cache."},
	}, {
		// No PID; user and project names.
		screenAPI, 10933, Record{Source: screenAPI, File: screenAPI, Line: 10933, Lines: 1, Time: ts("2013-09-27 18:26:39.811"), Millis: true,
			Level: "AUDIT", Logger: "nova.api.openstack.compute.contrib.volumes",
			Context: Context{RequestID: "req-2d3e0115-0e51-453b-ab04-3761130bae22", User: "ServerRescueTestJSON1905368202-user", Project: "ServerRescueTestJSON586693665-tenant",
				Raw: "req-2d3e0115-0e51-453b-ab04-3761130bae22 ServerRescueTestJSON1905368202-user ServerRescueTestJSON586693665-tenant"},
			Message: "Create volume of 1 GB"},
	}, {
		// An EC2 XML body: lines 18837 to 18872.
		screenAPI, 18836, Record{Source: screenAPI, File: screenAPI, Line: 18836, Lines: 37, Time: ts("2013-09-27 18:33:04.262"), Millis: true,
			Level: "DEBUG", Logger: "nova.api.ec2.apirequest",
			Context: Context{RequestID: "req-4f34846a-0771-46f1-9984-c1c612a4e01b", User: "demo", Project: "demo", Raw: "req-4f34846a-0771-46f1-9984-c1c612a4e01b demo demo"},
			Message: `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2013-07-15/">`},
	}, {
		// Four lines of the command's output, then the 19 ERROR lines of
		// its traceback with the same prefix: lines 1393 to 1415.
		hotsos, 1392, Record{Source: hotsos, File: hotsos, Line: 1392, Lines: 24, Time: ts("2022-02-04 10:21:58.881"), Millis: true,
			PID: 284971, Level: "ERROR", Logger: "nova.compute.manager",
			Context: Context{RequestID: "req-97b163b2-ff4c-4c93-915a-6c990d19af26", Raw: "req-97b163b2-ff4c-4c93-915a-6c990d19af26 - - - - -"},
			Message: "Error updating resources for node compute4.mylab.home.: oslo_concurrency.processutils.ProcessExecutionError: Unexpected error while running command."},
	}, {
		// 1,280 lines of JSON: 1,000 kept, 280 dropped. The context ends
		// with a space: "[req-… ]".
		neutron, 17372, Record{Source: neutron, File: neutron, Line: 17372, Lines: 1281, Dropped: 280, Time: ts("2015-11-12 13:20:11.421"), Millis: true,
			PID: 5389, Level: "DEBUG", Logger: "neutron.api.rpc.handlers.l3_rpc",
			Context: Context{RequestID: "req-51d9de71-58c8-4df7-82c1-738d19352f1a", Raw: "req-51d9de71-58c8-4df7-82c1-738d19352f1a "},
			Message: "Routers returned to l3 agent:"},
	}, {
		// Loghub: the file name first, CRLF.
		loghub, 1999, Record{Source: "nova-compute.log.1.2017-05-16_13:55:31", File: loghub, Line: 1999, Lines: 1, Time: ts("2017-05-16 00:14:47.663"), Millis: true,
			PID: 2931, Level: "INFO", Logger: "nova.virt.libvirt.driver", Context: Context{Raw: "-"},
			Instance: "faf974ea-cba5-4e1b-93f4-3a3bc606006f", Message: "Instance destroyed successfully."},
	}, {
		loghub, 2000, Record{Source: "nova-api.log.1.2017-05-16_13:53:08", File: loghub, Line: 2000, Lines: 1, Time: ts("2017-05-16 00:14:47.687"), Millis: true,
			PID: 25746, Level: "INFO", Logger: "nova.osapi_compute.wsgi.server",
			Context: Context{RequestID: "req-dd237280-5bc8-41cb-a035-26c8e64d49fc", User: "113d3a99c3da401fbd62cc2caa5b96d2", Project: "54fadb412c4e40cdbaed9335e4c35a9e",
				Raw: "req-dd237280-5bc8-41cb-a035-26c8e64d49fc 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -"},
			Message: `10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200 len: 1916 time: 0.2717581`},
	}}
	byFile := map[string][]pick{}
	for _, p := range picks {
		byFile[p.file] = append(byFile[p.file], p)
	}
	for file, ps := range byFile {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			got := map[int64]Record{}
			groupSample(t, file, func(r Record) {
				for _, p := range ps {
					if r.Line == p.line {
						got[r.Line] = r
					}
				}
			})
			for _, p := range ps {
				r, ok := got[p.line]
				if !ok {
					t.Errorf("no record at line %d", p.line)
					continue
				}
				n := len(r.Extra)
				r.Extra = nil
				if diff := diffRecord(p.want, r); diff != "" {
					t.Errorf("line %d (-want +got):\n%s", p.line, diff)
				}
				if n+r.Dropped+1 != r.Lines {
					t.Errorf("line %d: %d Extra", p.line, n)
				}
			}
		})
	}
}

// The Loghub copies differ only in line endings: CRLF and LF give the same
// records.
func TestSamplesLoghubCRLF(t *testing.T) {
	var crlf, lf []Record
	groupSample(t, "loghub/OpenStack_2k.log", func(r Record) { crlf = append(crlf, r) })
	groupSample(t, "loghub-2.0/OpenStack_2k.log", func(r Record) { lf = append(lf, r) })
	if len(crlf) != 2000 || len(lf) != 2000 {
		t.Fatalf("%d and %d records", len(crlf), len(lf))
	}
	for i := range crlf {
		a, b := crlf[i], lf[i]
		a.File, b.File = "", ""
		if diff := diffRecord(a, b); diff != "" {
			t.Fatalf("record %d (-CRLF +LF):\n%s", i+1, diff)
		}
		if strings.ContainsRune(a.Message, '\r') {
			t.Fatalf("record %d: CR in %q", i+1, a.Message)
		}
	}
}

// Fed from tools/input (which unpacks gzip and strips "\r\n" itself),
// AddLine gives the records Add gives.
func TestSamplesInput(t *testing.T) {
	for _, name := range []string{"loghub/OpenStack_2k.log", "os-loganalyze/screen-n-api.txt.gz", "hotsos/nova-compute.log.1.gz"} {
		t.Run(name, func(t *testing.T) {
			var want []Record
			ws := groupSample(t, name, func(r Record) { want = append(want, r) })
			path := osdata.Path(t, name)
			in := input.Open(context.Background(), []string{path}, input.Options{})
			defer in.Close()
			g := NewGrouper(nil)
			var got []Record
			for l, ok := in.Next(); ok; l, ok = in.Next() {
				if r, ok := g.AddLine(l); ok {
					got = append(got, r)
				}
			}
			if r, ok := g.Flush(); ok {
				got = append(got, r)
			}
			if err := in.Err(); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d records, want %d", len(got), len(want))
			}
			for i := range got {
				w := want[i]
				w.File, w.Source = path, strings.Replace(w.Source, name, path, 1)
				if diff := diffRecord(w, got[i]); diff != "" {
					t.Fatalf("record %d (-Add +AddLine):\n%s", i+1, diff)
				}
			}
			gs := g.Stats()
			if gs.Records != ws.Records || gs.Malformed != ws.Malformed || gs.Continued != ws.Continued {
				t.Errorf("stats %+v, want %+v", gs, ws)
			}
		})
	}
}
