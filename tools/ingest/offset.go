package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/tools/input"
)

// headMax is how many of a file's first bytes its checksum covers: a few
// lines, timestamps and all, which a file truncated and written again
// does not repeat.
const headMax = 1024

// The checksum of events.Offset is written "sha256:<n>:<hex>": the SHA-256
// of the file's first n bytes, n = min(1 KiB, the offset), so that a file
// shorter than a KiB when saved is still recognised once it has grown.
// (tools/extract/state keeps the same fingerprint in two fields of its own
// file; the idea is shared, the code is not: its records are a JSON file,
// these go to the store.)

// checksum returns the checksum of the first min(headMax, upTo) bytes of
// the file f, or "" when they cannot be read.
func checksum(f *os.File, upTo int64) string {
	n := min(upTo, headMax)
	if n <= 0 {
		return ""
	}
	b := make([]byte, n)
	if k, _ := f.ReadAt(b, 0); int64(k) < n {
		return ""
	}
	sum := sha256.Sum256(b)
	return "sha256:" + strconv.FormatInt(n, 10) + ":" + hex.EncodeToString(sum[:])
}

// checksumLen returns the n of a checksum, 0 when there is none.
func checksumLen(c string) int64 {
	rest, ok := strings.CutPrefix(c, "sha256:")
	if !ok {
		return 0
	}
	n, _, _ := strings.Cut(rest, ":")
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// identity is what tells a followed file from the one that replaced it:
// its inode, and the checksum of its first bytes.
type identity struct {
	inode uint64
	sum   string
	sumN  int64
}

// identify opens path and returns its identity, the checksum over the
// first min(headMax, upTo) bytes. want, when not zero, is the inode the
// caller expects: another file there (rotated since) returns ok false.
func identify(path string, upTo int64, want uint64) (id identity, size int64, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return identity{}, 0, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return identity{}, 0, false
	}
	id.inode = input.Inode(fi)
	if want != 0 && id.inode != want {
		return identity{}, 0, false
	}
	id.sum = checksum(f, min(upTo, fi.Size()))
	id.sumN = checksumLen(id.sum)
	return id, fi.Size(), true
}

// sameHead reports whether path's first bytes are those c was taken of.
func sameHead(path, c string) bool {
	n := checksumLen(c)
	if n == 0 {
		return c == ""
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return checksum(f, n) == c
}
