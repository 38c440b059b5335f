package input

import (
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// source is one input: a named file or standard input.
type source struct {
	name    string
	path    string   // stat'ed to notice rotation; "" for standard input
	f       *os.File // the open file, nil while a followed name is missing
	wake    *os.File // what a read deadline set on cancel interrupts: f, or standard input made pollable; nil if none
	fi      os.FileInfo
	noClose bool // f is standard input, which belongs to the caller
	rd      io.Reader
	plain   bool  // rd yields f's bytes unchanged, so off is f's offset
	off     int64 // bytes read from f, to notice truncation
	pos     int64 // bytes of the stream (decompressed) read into the buffer, for Line.Offset
	num     int64 // lines delivered from the current file
	long    bool  // the last line delivered was a First or Middle piece
	eof     bool  // rd has nothing more for now
	err     error // read error, reported once the bytes before it are delivered
	follow  bool  // polled for growth after its end
	done    bool
	pending []byte   // partial last line held across polls
	next    *os.File // what replaces f once f is drained: a rotated-in file, or f after truncation
}

// open opens name. On error it may still return a source, when Follow
// should look for the name again later.
func (r *Reader) open(name string) (*source, error) {
	if name == "-" {
		s := &source{name: name, noClose: true}
		rd := r.stdin
		f, _ := r.stdin.(*os.File)
		if f != nil {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				s.f, s.fi = f, fi
			} else if err == nil && r.stdinWake == nil && r.undoStdin == nil {
				// Once per Reader: "-" named twice shares the file.
				r.stdinWake, r.undoStdin = wakeable(f, fi)
				if r.undoStdin == nil {
					r.undoStdin = func() {}
				}
			}
			if r.stdinWake != nil {
				rd, s.wake = r.stdinWake, r.stdinWake
			}
		}
		if err := r.watch(s); err != nil {
			return nil, err
		}
		if err := s.start(rd); err != nil {
			return nil, err
		}
		s.follow = r.opts.Follow && s.followable()
		if err := s.skipTo(r.opts.Start[name]); err != nil {
			return nil, err
		}
		return s, nil
	}
	s := &source{name: name, path: name, follow: r.opts.Follow}
	if err := r.openPath(s); err != nil {
		if s.follow && errors.Is(err, fs.ErrNotExist) {
			return s, err
		}
		return nil, err
	}
	s.follow = s.follow && s.followable()
	if err := s.skipTo(r.opts.Start[name]); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// skipTo moves s to p, a position an earlier run saved: by seeking in a
// plain regular file, by reading and dropping bytes otherwise (gzip, pipes).
func (s *source) skipTo(p Position) error {
	if p.Offset <= 0 {
		return nil
	}
	if s.plain && s.f != nil && s.fi != nil && s.fi.Mode().IsRegular() {
		if _, err := s.f.Seek(p.Offset, io.SeekStart); err == nil {
			s.rd = s.f // the sniffed bytes lie before p
			s.off, s.pos, s.num = p.Offset, p.Offset, p.Line
			return nil
		}
	}
	n, err := io.CopyN(io.Discard, s.rd, p.Offset)
	if s.plain {
		s.off += n
	}
	s.pos, s.num = n, p.Line
	if err == io.EOF {
		s.eof = true
		return nil
	}
	return err
}

// followable reports whether polling s for growth makes sense: a plain
// regular file. A FIFO or device ends when its writer goes, and a gzip
// file is an archive, not a live log.
func (s *source) followable() bool {
	return s.plain && s.f != nil && s.fi != nil && s.fi.Mode().IsRegular()
}

// reopen looks again for a followed name that was missing, reporting
// whether it is there now.
func (r *Reader) reopen(s *source) bool {
	err := r.openPath(s)
	if err == nil {
		s.follow = s.followable()
		return true
	}
	if !errors.Is(err, fs.ErrNotExist) && r.ctx.Err() == nil {
		s.done = true
		r.report(&SourceError{Source: s.name, Err: err})
	}
	return false
}

// openPath opens s.path and sets s up to read it.
func (r *Reader) openPath(s *source) error {
	f, err := r.openFile(s.path)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if fi.IsDir() {
		f.Close()
		return &fs.PathError{Op: "read", Path: s.path, Err: syscall.EISDIR}
	}
	s.f, s.fi, s.wake = f, fi, f
	err = r.watch(s)
	if err == nil {
		err = s.start(f)
	}
	if err != nil {
		f.Close()
		s.f, s.wake = nil, nil
		return err
	}
	return nil
}

// openFile opens path to read it. Opening a FIFO waits for a writer, and
// no deadline reaches a goroutine blocked in open(2), so a FIFO is opened
// on another goroutine while this one watches ctx; when ctx wins, that
// goroutine closes the file if a writer ever comes.
func (r *Reader) openFile(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		return os.Open(path)
	}
	type opened struct {
		f   *os.File
		err error
	}
	c := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		c <- opened{f, err}
	}()
	select {
	case o := <-c:
		return o.f, o.err
	case <-r.ctx.Done():
		go func() {
			if o := <-c; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, r.ctx.Err()
	}
}

// start sets s.rd to read rd, through gzip when rd starts with gzip's
// magic bytes: the name says nothing reliable (a.log.1 may be compressed,
// and stdin has no name).
func (s *source) start(rd io.Reader) error {
	p := &peeked{r: rd}
	n, err := readSome(rd, p.buf[:1])
	if n == 1 && p.buf[0] == 0x1f {
		var m int
		m, err = readSome(rd, p.buf[1:2])
		n += m
	}
	p.head = p.buf[:n]
	if err != nil && err != io.EOF {
		return err
	}
	p.err = err
	if n == 2 && p.buf[0] == 0x1f && p.buf[1] == 0x8b {
		gz, err := gzip.NewReader(p)
		if err != nil {
			return err
		}
		s.rd = gz
		s.plain = false
		return nil
	}
	s.rd = p
	s.plain = true
	return nil
}

// switchTo continues s with next, the file that replaced f at its path, or
// f itself read again from the start after truncation. Line numbers restart
// with the file.
func (s *source) switchTo(next *os.File) {
	if next == s.f {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			s.err = err
		}
	} else {
		if !s.noClose {
			s.f.Close()
		}
		s.f, s.wake = next, next
		if fi, err := next.Stat(); err == nil {
			s.fi = fi
		}
	}
	s.rd = s.f
	s.plain = true
	s.off, s.num, s.pos = 0, 0, 0
	s.eof, s.long = false, false
}

// changed looks at s's path after its end was reached: a different file
// there means rotation, a size below what was read means truncation. It
// returns what to read next, or nil when nothing changed.
func (s *source) changed() *os.File {
	if s.f == nil {
		return nil
	}
	if s.path != "" {
		fi, err := os.Stat(s.path)
		if err != nil {
			return nil // gone for now; keep reading the old file
		}
		if !os.SameFile(fi, s.fi) {
			f, err := os.Open(s.path)
			if err != nil {
				return nil
			}
			return f
		}
		if fi.Size() < s.off {
			return s.f
		}
		return nil
	}
	if fi, err := s.f.Stat(); err == nil && fi.Size() < s.off {
		return s.f
	}
	return nil
}

func (s *source) close() {
	if s.next != nil && s.next != s.f {
		s.next.Close()
	}
	s.next = nil
	if s.f != nil && !s.noClose {
		s.f.Close()
	}
	s.f, s.wake = nil, nil
}

// peeked returns the bytes read to sniff the format, then reads on. Unlike
// io.MultiReader it never sticks at an end, which Follow needs.
type peeked struct {
	buf  [2]byte
	head []byte
	err  error // what the sniffing read ended with, returned once
	r    io.Reader
}

func (p *peeked) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	if p.err != nil {
		err := p.err
		p.err = nil
		return 0, err
	}
	return p.r.Read(b)
}

// readSome reads into b until it gets a byte or an error, giving up on a
// reader that keeps returning nothing.
func readSome(rd io.Reader, b []byte) (int, error) {
	for range maxZeroReads {
		n, err := rd.Read(b)
		if n > 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}
