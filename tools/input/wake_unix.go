//go:build unix

package input

import (
	"os"
	"strconv"
	"syscall"
	"time"
)

// wakeable returns a file that reads what f (standard input) reads and
// whose reads a deadline can interrupt, so that cancelling the context
// stops a command waiting on a silent pipe (`sleep 100 | log-format`);
// and a function that undoes what that took, or nil when nothing needs
// undoing. It returns nil, nil when f cannot be made so, or need not be.
//
// Go's os.Stdin is not registered with the runtime poller when its
// descriptor is in blocking mode, as it usually is, and a read in blocking
// mode is restarted after the signal handler, so it waits for data or the
// writer's end however long. A pipe, FIFO or socket is set non-blocking
// through a duplicate of the descriptor, which os.NewFile then registers
// with the poller; the mode belongs to the open file description, shared
// with the process that handed it over, so undo sets it back. A terminal
// is reopened by its name instead, a description of our own that Go opens
// non-blocking, so the mode of the shell's terminal is never touched. A
// regular file or another device is returned as nil: a read of it does
// not wait.
func wakeable(f *os.File, fi os.FileInfo) (*os.File, func()) {
	if f.SetReadDeadline(time.Time{}) == nil {
		return nil, nil // registered already: os.Pipe, or a non-blocking stdin
	}
	mode := fi.Mode()
	if mode&os.ModeCharDevice != 0 {
		return reopenTerminal(f, fi)
	}
	if mode&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return nil, nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, nil
	}
	dup := -1
	rc.Control(func(fd uintptr) {
		syscall.ForkLock.RLock()
		defer syscall.ForkLock.RUnlock()
		if d, err := syscall.Dup(int(fd)); err == nil {
			syscall.CloseOnExec(d)
			dup = d
		}
	})
	if dup < 0 {
		return nil, nil
	}
	if err := syscall.SetNonblock(dup, true); err != nil {
		syscall.Close(dup)
		return nil, nil
	}
	w := os.NewFile(uintptr(dup), f.Name())
	if w.SetReadDeadline(time.Time{}) != nil {
		// Not registered after all; a non-blocking read would fail with
		// EAGAIN instead of waiting.
		syscall.SetNonblock(dup, false)
		w.Close()
		return nil, nil
	}
	return w, func() {
		w.Close()
		rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), false) })
	}
}

// reopenTerminal opens the terminal f reads (fi is f's) by its name, which
// /proc tells; nil where it does not, or f is another device.
func reopenTerminal(f *os.File, fi os.FileInfo) (*os.File, func()) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, nil
	}
	var fd uintptr
	rc.Control(func(d uintptr) { fd = d })
	name, err := os.Readlink("/proc/self/fd/" + strconv.FormatUint(uint64(fd), 10))
	if err != nil || len(name) < 5 || name[:5] != "/dev/" {
		return nil, nil
	}
	w, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil
	}
	if wfi, err := w.Stat(); err != nil || !os.SameFile(wfi, fi) || w.SetReadDeadline(time.Time{}) != nil {
		w.Close()
		return nil, nil
	}
	return w, func() { w.Close() }
}
