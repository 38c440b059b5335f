package cli

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Progress draws one status line on stderr, redrawn in place, when stderr
// is a terminal (or --progress=always): a bar of the bytes read against the
// inputs' size, the command's own counts, and the time taken. It draws at
// most five times a second, so a command may call [Progress.Update] from
// its reading loop as often as it likes: it costs nothing that matters.
//
// It lives here rather than in a command because nothing in it is one
// command's: the inputs' sizes (gzip's included), the bar and the redraw
// are the same for any reader of files.
type Progress struct {
	on    bool
	w     io.Writer // stderr
	total int64     // bytes of the inputs (see InputSize)
	last  time.Time
	shown bool
	start time.Time
}

// NewProgress returns the status line of a run over the named inputs ("-"
// for standard input, which counts for nothing in the total). mode is the
// value of --progress: auto draws only when io.ErrIsTerminal.
func NewProgress(io IO, mode ColorMode, names []string) *Progress {
	p := &Progress{w: io.Err, start: time.Now()}
	switch mode {
	case ColorAlways:
		p.on = true
	case ColorNever:
		p.on = false
	default:
		p.on = io.ErrIsTerminal
	}
	for _, n := range names {
		p.total += InputSize(n)
	}
	return p
}

// Update redraws the line, unless it is off or was drawn less than 200 ms
// ago. measure is called only when the line is drawn, so what it costs
// (copying a command's counts) is paid five times a second at most; it
// returns how many bytes of the inputs were read and the counts to show
// ("12 lines  3 actions"). A nil Progress draws nothing.
func (p *Progress) Update(measure func() (done int64, counts string)) {
	if p == nil || !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	done, counts := measure()
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(done)/float64(p.total), 1)
	}
	const width = 24
	n := int(frac * width)
	bar := strings.Repeat("█", n) + strings.Repeat("░", width-n)
	fmt.Fprintf(p.w, "\r\x1b[K%s %3.0f%%  %s  %s",
		bar, frac*100, counts, time.Since(p.start).Round(time.Second))
	p.shown = true
}

// Clear removes the status line so that what follows starts clean (an
// error message, the summary); the next Update draws it again.
func (p *Progress) Clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.shown = false
}

// InputSize is how many bytes reading name will give: its size, or for a
// gzip file the size gzip's trailer records (ISIZE, the uncompressed size
// modulo 4 GiB, of the last member), since readers count positions in
// decompressed bytes. It is 0 for "-" and for a file it cannot stat.
func InputSize(name string) int64 {
	if name == "-" {
		return 0
	}
	fi, err := os.Stat(name)
	if err != nil {
		return 0
	}
	if !IsGzip(name) || fi.Size() < 18 {
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

// IsGzip tells a gzip file by its first two bytes, as the input reader
// does; a file it cannot read is not one.
func IsGzip(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [2]byte
	n, _ := f.Read(magic[:])
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
}
