package logexpand

import (
	"github.com/auditlog-go/auditlog/tools/logline"

	"github.com/auditlog-go/auditlog/internal/jsonscan"

	"github.com/auditlog-go/auditlog/tools/logexpand/internal/jsontree"
)

// levelRank reads the level of the line in t.buf[:n] for Options.MinLevel:
// of a record, the string under its first top-level level key; of a text
// line, its oslo.log level word. It returns 0 when there is none.
func (x *Expander) levelRank(record bool, n int) int {
	b := x.t.Buf[:n]
	if !record {
		i, j := textLevel(b)
		if i < 0 {
			return 0
		}
		if string(b[i:j]) == "TRACE" {
			return logline.RankError // oslo.log's traceback lines under an ERROR
		}
		_, rank, _ := logline.ParseLevel(string(b[i:j]))
		return rank
	}
	nodes := len(x.t.Nodes)
	defer func() { x.t.Nodes = x.t.Nodes[:nodes] }()
	i := jsonscan.SkipWS(b, 0)
	if len(b)-i >= len(bom) && string(b[i:i+len(bom)]) == string(bom) {
		i = jsonscan.SkipWS(b, i+len(bom))
	}
	if i >= len(b) || b[i] != '{' {
		return 0
	}
	i++
	for {
		i = jsonscan.SkipWS(b, i)
		if i >= len(b) || b[i] != '"' {
			return 0
		}
		ks, ke, _, ok := jsontree.ScanString(b, i+1)
		if !ok {
			return 0
		}
		i = jsonscan.SkipWS(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return 0
		}
		v := jsonscan.SkipWS(b, i+1)
		if isLevelKey(b[ks:ke]) {
			if v < len(b) && b[v] == '"' {
				s, e, _, ok := jsontree.ScanString(b, v+1)
				if ok {
					_, rank, _ := logline.ParseLevel(string(b[s:e]))
					return rank
				}
			}
			if e, ok := jsontree.ScanNumber(b, v); ok { // a levelno, or a slog level
				_, rank, _ := logline.LevelOf(b[v:e])
				return rank
			}
			return 0
		}
		_, end, ok := x.t.ParseJSON(v, len(b))
		if !ok {
			return 0
		}
		i = jsonscan.SkipWS(b, end)
		if i >= len(b) || b[i] != ',' {
			return 0
		}
		i++
	}
}
