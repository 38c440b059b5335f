package logformat

import (
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logline"
)

// BenchmarkRender times the templates' rendering alone: the sample lines'
// values are extracted once, then Template.Append fills the template from
// them, line after line into one buffer; bytes are input bytes. It isolates
// the render from the JSON walk, which BenchmarkData also counts.
func BenchmarkRender(b *testing.B) {
	for _, ds := range []string{"lines.jsonl", "other.jsonl"} {
		for _, tn := range []string{"full", "three", "one"} {
			b.Run(strings.TrimSuffix(ds, ".jsonl")+"/"+tn, func(b *testing.B) {
				lines := benchFile(b, ds)
				f, err := New(Options{Missing: "-", Format: cliTemplates[tn]})
				if err != nil {
					b.Fatal(err)
				}
				var vals [][][]byte
				size := 0
				for _, l := range lines {
					if !(&input.Line{Text: l}).IsJSONObject() || !f.extract(l) {
						continue
					}
					vals = append(vals, append([][]byte(nil), f.vals...))
					size += len(l) + 1
				}
				buf := make([]byte, 0, 1<<20)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					buf = buf[:0]
					for _, v := range vals {
						copy(f.vals, v) // one vals, as a run has: the cache holds it
						buf = f.tmpl.Append(buf, f.vals, &f.r)
						buf = append(buf, '\n')
					}
				}
			})
		}
	}
}

// BenchmarkMaskMessages is the credential search alone (CredentialSpans
// through render's cached names) on the messages of cli.sh's oslo.log
// sample that hint at a credential: most quote none, and some quote Python
// reprs of many "'name': value" pairs.
func BenchmarkMaskMessages(b *testing.B) {
	lines := benchFile(b, "other.jsonl")
	f, err := New(Options{Missing: "-", Format: "%(message)s"})
	if err != nil {
		b.Fatal(err)
	}
	var texts [][]byte
	for _, l := range lines {
		if !f.extract(l) {
			continue
		}
		if out, hint := logline.AppendTextHint(nil, f.tmpl.parts[0].look.Get(f.vals), false); hint {
			texts = append(texts, out)
		}
	}
	f.r.nameFn = f.r.sensitiveName
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			f.r.spans = logline.CredentialSpans(t, f.r.nameFn, f.r.spans[:0])
		}
	}
}
