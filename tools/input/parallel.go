package input

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"sync"
)

// AppendFunc formats one line onto dst and returns the result, as
// logformat's Formatter.Append and logexpand's Expander do. Each worker of
// [Parallel] has its own, so it need not be safe for concurrent use.
//
// In a chunk of a split file, Line.Num counts from the chunk's start (the
// lines before it are still being counted by other workers), so an
// AppendFunc must not print it; Line.Offset is the file's. Errors are
// renumbered before they are reported.
type AppendFunc func(dst []byte, l *Line) []byte

// Parallel reads names as [Open] does and formats every line with an
// AppendFunc, writing the results in input order, byte for byte what one
// AppendFunc over one Reader would write. A regular file that is not gzip
// and is at least MinSplit bytes is cut into chunks of about ChunkSize
// bytes at line boundaries, and Jobs workers format the chunks at once;
// every other input (standard input, pipes, gzip, small files) is read
// sequentially by the first worker. Memory is bounded: at most 2×Jobs
// chunks, with their output, are held at a time, and a chunk that a long
// line makes many times ChunkSize is formatted by the writer as it goes,
// as the sequential path would.
//
// Line numbers in errors are those of the whole file: each chunk counts
// its lines, and an error in a chunk is reported, through
// [Options.OnError] as Open would, once the chunks before it are written.
// Follow and Start are not supported: callers read those sequentially.
type Parallel struct {
	Jobs      int   // workers; below 1 means 1
	ChunkSize int   // bytes per chunk; 0 means DefaultChunkSize
	MinSplit  int64 // smaller files are read sequentially; 0 means 2×ChunkSize
}

// DefaultChunkSize is the size of [Parallel]'s chunks when it is not given:
// big enough that handing a chunk to a worker costs nothing next to
// formatting it, small enough that 2×Jobs of them (and their output) fit in
// a few tens of megabytes.
const DefaultChunkSize = 2 << 20

// flushAt is how much output the sequential path gathers per write.
const flushAt = 256 << 10

// Run formats the lines of names with the AppendFuncs newWork returns (one
// per worker) and writes them to w. It returns the first write error, and
// the input errors joined as [Reader.Err] does.
func (p *Parallel) Run(ctx context.Context, names []string, opts Options, newWork func() AppendFunc, w io.Writer) (writeErr, inputErr error) {
	if ctx == nil {
		ctx = context.Background()
	}
	jobs := max(p.Jobs, 1)
	chunk := p.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	minSplit := p.MinSplit
	if minSplit <= 0 {
		minSplit = 2 * int64(chunk)
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = DefaultMaxLine
	}
	if len(names) == 0 {
		names = []string{"-"}
	}
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, flushAt)
	}
	var errs []error
	onError := opts.OnError
	report := func(err error) {
		errs = append(errs, err)
		if onError != nil {
			bw.Flush() // the error goes after the output before it
			onError(err)
		}
	}
	works := make([]AppendFunc, jobs)
	for i := range works {
		works[i] = newWork()
	}
	seq := opts
	seq.OnError = report
	seq.OnIdle = func() { bw.Flush() }
	for _, name := range names {
		if ctx.Err() != nil {
			break
		}
		if f, size := splittable(name, minSplit); f != nil {
			err := p.runFile(ctx, f, name, size, chunk, opts, works, newWork, bw, report)
			f.Close()
			if err != nil {
				return err, errors.Join(errs...)
			}
			continue
		}
		if err := runSequential(ctx, name, seq, works[0], bw); err != nil {
			return err, errors.Join(errs...)
		}
	}
	return bw.Flush(), errors.Join(errs...)
}

// splittable opens name when it is a regular, uncompressed file of at
// least minSplit bytes, and returns it with its size; otherwise nil. A name
// that cannot be opened is left to the sequential path, which reports it
// as Open would.
func splittable(name string, minSplit int64) (*os.File, int64) {
	if name == "-" {
		return nil, 0
	}
	// Stat first: opening a FIFO would wait for its writer, where no
	// cancel reaches (the sequential path's Open watches ctx meanwhile).
	if fi, err := os.Stat(name); err != nil || !fi.Mode().IsRegular() || fi.Size() < minSplit {
		return nil, 0
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < minSplit {
		f.Close()
		return nil, 0
	}
	var magic [2]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		f.Close()
		return nil, 0
	}
	return f, fi.Size()
}

func runSequential(ctx context.Context, name string, opts Options, work AppendFunc, bw *bufio.Writer) error {
	r := Open(ctx, []string{name}, opts)
	defer r.Close()
	buf := make([]byte, 0, flushAt+64<<10)
	for {
		l, ok := r.Next()
		if !ok {
			break
		}
		buf = work(buf, l)
		if len(buf) >= flushAt {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := bw.Write(buf)
	return err
}

// A task is one chunk of a file: bytes [off, end), whose first line has
// the number after those of the chunks before it.
type task struct {
	off, end int64
	res      chan chunkResult
}

type chunkResult struct {
	out   []byte
	lines int64 // lines that began in the chunk
	errs  []error
	// big is set, and nothing done, for a chunk much longer than
	// ChunkSize (a line of many megabytes): its output would have to be
	// held whole, so the writer formats it itself, in order, streaming.
	big      bool
	off, end int64
}

// bigChunk is how many times ChunkSize a chunk may grow to, to reach the
// end of its last line, before it is formatted by the writer instead.
const bigChunk = 8

// runFile formats f, of size bytes, in chunks on len(works) workers.
func (p *Parallel) runFile(ctx context.Context, f io.ReaderAt, name string, size int64, chunk int, opts Options, works []AppendFunc, newWork func() AppendFunc, bw *bufio.Writer, report func(error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := len(works)
	tasks := make(chan task)
	order := make(chan chan chunkResult, 2*jobs) // bounds the chunks in flight
	free := make(chan []byte, 3*jobs)            // output buffers to reuse
	var wg sync.WaitGroup
	for _, work := range works {
		wg.Go(func() {
			var rbuf []byte
			for t := range tasks {
				if t.end-t.off > bigChunk*int64(chunk) {
					t.res <- chunkResult{big: true, off: t.off, end: t.end}
					continue
				}
				var out []byte
				select {
				case out = <-free:
				default:
				}
				var res chunkResult
				res.out, res.lines, res.errs, rbuf, _ = runChunk(ctx, f, name, t.off, t.end, opts, work, out[:0], rbuf, nil)
				t.res <- res
			}
		})
	}
	// The dispatcher cuts the chunks as it goes: each ends just after the
	// first '\n' at or past ChunkSize bytes from its start.
	wg.Go(func() {
		defer close(tasks)
		defer close(order)
		for off := int64(0); off < size; {
			end := lineEnd(f, min(off+int64(chunk), size), size)
			t := task{off: off, end: end, res: make(chan chunkResult, 1)}
			select {
			case order <- t.res:
			case <-ctx.Done():
				return
			}
			select {
			case tasks <- t:
			case <-ctx.Done():
				t.res <- chunkResult{} // queued in order: it must not be waited for in vain
				return
			}
			off = end
		}
	})
	var werr error
	var base int64
	failed := false
	var bigWork AppendFunc // the writer's own, made when first needed
	for res := range order {
		r := <-res
		if r.big && werr == nil && !failed {
			if bigWork == nil {
				bigWork = newWork()
			}
			flush := func(out []byte) ([]byte, error) {
				_, err := bw.Write(out)
				return out[:0], err
			}
			var out []byte
			r.out, r.lines, r.errs, _, werr = runChunk(ctx, f, name, r.off, r.end, opts, bigWork, make([]byte, 0, flushAt+64<<10), nil, flush)
			if werr == nil {
				out, werr = flush(r.out)
				r.out = out
			}
			if werr != nil {
				cancel()
			}
		}
		if werr == nil && !failed {
			if _, werr = bw.Write(r.out); werr != nil {
				cancel()
			}
			for _, err := range r.errs {
				var se *SourceError
				if errors.As(err, &se) && se.Line > 0 {
					se.Line += base
				}
				report(err)
				failed = true // a file stops at its first read error, as Open's reading does
				cancel()
			}
		}
		base += r.lines
		if cap(r.out) <= 4*chunk+1<<20 {
			select {
			case free <- r.out[:0]:
			default:
			}
		}
	}
	wg.Wait()
	return werr
}

// lineEnd returns the offset just after the first '\n' at or after at, or
// size when there is none.
func lineEnd(f io.ReaderAt, at, size int64) int64 {
	if at >= size {
		return size
	}
	var buf [16 << 10]byte
	for at < size {
		n, err := f.ReadAt(buf[:min(int64(len(buf)), size-at)], at)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return at + int64(i) + 1
		}
		at += int64(n)
		if err != nil {
			return size // the chunk's reader will meet the error and report it
		}
	}
	return size
}

// runChunk formats the lines of f[off:end] onto out with a Reader on that
// section, and returns them, the number of lines, the read errors (their
// line numbers counted from the chunk's start) and the read buffer for the
// next chunk. With flush, out is handed to it whenever it holds flushAt
// bytes, and its error (a write error) ends the chunk.
func runChunk(ctx context.Context, f io.ReaderAt, name string, off, end int64, opts Options, work AppendFunc, out, rbuf []byte, flush func([]byte) ([]byte, error)) ([]byte, int64, []error, []byte, error) {
	opts.OnError, opts.OnIdle, opts.Follow, opts.Start = nil, nil, false, nil
	r := &Reader{ctx: ctx, opts: opts, buf: rbuf, stop: func() bool { return true }}
	s := &source{name: name, rd: io.NewSectionReader(f, off, end-off), plain: true, pos: off}
	r.activate(s)
	for {
		l, ok := r.Next()
		if !ok {
			break
		}
		out = work(out, l)
		if flush != nil && len(out) >= flushAt {
			var err error
			if out, err = flush(out); err != nil {
				return out, s.num, r.errs, nil, err
			}
		}
	}
	rbuf = r.buf
	if cap(rbuf) > 4*initialBuffer {
		rbuf = nil // don't keep a huge line's buffer
	}
	return out, s.num, r.errs, rbuf, nil
}

// Jobs is the number of workers a --jobs value asks for: n itself when
// above 0, otherwise one per CPU the Go runtime may use (GOMAXPROCS, so
// GOMAXPROCS=1 means one after the other).
func Jobs(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}
