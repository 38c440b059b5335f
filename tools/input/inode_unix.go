//go:build unix

package input

import (
	"os"
	"syscall"
)

// Inode returns fi's inode number, 0 when the platform does not say: with
// the size and the first bytes, what tells a rotated log file from the one
// a checkpoint was taken in (log-extract's state, the ingest follower).
func Inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino) //nolint:unconvert // Ino is not uint64 everywhere
	}
	return 0
}
