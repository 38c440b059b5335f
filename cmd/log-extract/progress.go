package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract"
)

// progress draws one status line on stderr, redrawn in place, when stderr
// is a terminal (or --progress=always): a bar of the lines read against
// the inputs' size, and the actions found so far. It draws at most five
// times a second, from the reading goroutine, so it costs nothing that
// matters.
type progress struct {
	on    bool
	io    cli.IO
	total int64 // bytes of the inputs (compressed size for gzip: the bar is approximate there)
	last  time.Time
	shown bool
	start time.Time
}

func newProgress(io cli.IO, mode cli.ColorMode, names []string) *progress {
	p := &progress{io: io, start: time.Now()}
	switch mode {
	case cli.ColorAlways:
		p.on = true
	case cli.ColorNever:
		p.on = false
	default:
		p.on = io.ErrIsTerminal
	}
	for _, n := range names {
		p.total += inputSize(n)
	}
	return p
}

// inputSize is how many bytes reading name will give: its size, or for a
// gzip file the size gzip's trailer records (ISIZE, the uncompressed size
// modulo 4 GiB, of the last member), since the extractor's positions count
// decompressed bytes.
func inputSize(name string) int64 {
	fi, err := statFile(name)
	if err != nil {
		return 0
	}
	if !isGzip(name) || fi.Size() < 18 {
		return fi.Size()
	}
	f, err := os.Open(name)
	if err != nil {
		return fi.Size()
	}
	defer f.Close()
	var trailer [4]byte
	if _, err := f.ReadAt(trailer[:], fi.Size()-4); err != nil {
		return fi.Size()
	}
	n := int64(binary.LittleEndian.Uint32(trailer[:]))
	for n < fi.Size() { // past 4 GiB the count wrapped: it is at least the compressed size
		n += 1 << 32
	}
	return n
}

func (p *progress) update(ex *extract.Extractor) {
	if p == nil || !p.on || ex == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	s := ex.Stats()
	var done int64
	for _, pos := range ex.Checkpoint() {
		done += pos.Offset
	}
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(done)/float64(p.total), 1)
	}
	const width = 24
	n := int(frac * width)
	bar := strings.Repeat("█", n) + strings.Repeat("░", width-n)
	fmt.Fprintf(p.io.Err, "\r\x1b[K%s %3.0f%%  %d lines  %d actions  %s",
		bar, frac*100, s.Lines, s.Emitted, time.Since(p.start).Round(time.Second))
	p.shown = true
}

// clear removes the status line so that what follows starts clean.
func (p *progress) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.io.Err, "\r\x1b[K")
	p.shown = false
}
