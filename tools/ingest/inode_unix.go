//go:build unix

package ingest

import (
	"os"
	"syscall"
)

// inodeOf returns fi's inode number, 0 when the platform does not say.
func inodeOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino) //nolint:unconvert // Ino is not uint64 everywhere
	}
	return 0
}
