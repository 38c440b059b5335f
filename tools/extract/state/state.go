package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/auditlog-go/auditlog/tools/input"
)

// Version is the version of the state file's format. Load refuses a file of
// another version rather than misread it.
const Version = 1

// Reasons [State.Start] gives for where reading starts.
const (
	New       = "new"       // no record of the file: from the start
	Resume    = "resume"    // the same file, grown or not: from the recorded offset
	Renamed   = "renamed"   // a file recorded under another path (rotated by rename): from its offset
	Rotated   = "rotated"   // another file under the recorded path (new inode): from the start
	Truncated = "truncated" // the same inode, shorter or rewritten: from the start
)

// headMax is how many of a file's first bytes its fingerprint covers: a few
// log lines, timestamps and all, which a rewritten file does not repeat.
const headMax = 1024

// File is what the state knows of one file.
type File struct {
	Path  string `json:"path"`  // absolute
	Inode uint64 `json:"inode"` // 0 where the platform has none
	// Size is the file's size on disk as last seen, at Start or since; it
	// may be less than the file had, never more.
	Size int64 `json:"size"`
	// Offset is how many bytes were read: a position in the decompressed
	// stream when Compressed is set.
	Offset     int64 `json:"offset"`
	Lines      int64 `json:"lines"` // lines before Offset; the next one read is Lines+1
	Compressed bool  `json:"compressed,omitempty"`
	// HeadBytes and HeadSHA256 fingerprint the file's first bytes (as on
	// disk), so that a file truncated in place and written again
	// (logrotate's copytruncate) is not taken for the old one grown. Start
	// fills them in; Commit keeps them.
	HeadBytes  int64     `json:"head_bytes,omitempty"`
	HeadSHA256 string    `json:"head_sha256,omitempty"`
	Updated    time.Time `json:"updated"`
}

// FileOf returns the record of path as fi (its os.Stat, or the open file's
// Stat) describes it: Path, Inode and Size. The caller adds Offset, Lines
// and Compressed before [State.Commit].
func FileOf(path string, fi os.FileInfo) File {
	return File{Path: key(path), Inode: input.Inode(fi), Size: fi.Size()}
}

// State is the read positions of every file log-extract has read. It is
// safe for concurrent use.
type State struct {
	mu    sync.Mutex
	path  string
	files map[string]File
	// retired are records whose path now holds another file: the file
	// they describe may have been renamed (rotated), and be read under its
	// new name from where it was left.
	retired []File
	// heads are the fingerprints Start took, for Commit to record.
	heads map[string]head
	now   func() time.Time
}

type head struct {
	inode uint64
	n     int64
	sum   string
}

// stateFile is the JSON of the file Save writes.
type stateFile struct {
	Version int    `json:"version"`
	Files   []File `json:"files"`
	Retired []File `json:"retired,omitempty"`
}

// maxRetired bounds the records kept of rotated-away files.
const maxRetired = 64

// Load reads the state saved at path. A missing file is an empty state (the
// first run); a file that cannot be read as a state is an error that says
// what to do.
func Load(path string) (*State, error) {
	s := &State{path: path, files: map[string]File{}, heads: map[string]head{}, now: time.Now}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	corrupt := func(why string) error {
		return fmt.Errorf("state: %s is not a log-extract state file (%s): move it away to read every file from the start (a database store drops the lines read twice)", path, why)
	}
	var sf stateFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		return nil, corrupt(err.Error())
	}
	if dec.More() {
		return nil, corrupt("data after the JSON object")
	}
	if sf.Version != Version {
		return nil, fmt.Errorf("state: %s has version %d; this log-extract reads version %d", path, sf.Version, Version)
	}
	for i, f := range sf.Files {
		if f.Path == "" || f.Offset < 0 || f.Lines < 0 || f.Size < 0 || f.HeadBytes < 0 {
			return nil, corrupt(fmt.Sprintf("file %d has an empty path or a negative number", i+1))
		}
		s.files[f.Path] = f
	}
	s.retired = sf.Retired
	return s, nil
}

// key is the name a file is recorded under: its absolute, cleaned path, so
// that runs from different directories agree.
func key(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// Start says where to start reading path, whose os.Stat (or the open file's
// Stat) is fi: at offset, after line lines, for reason New, Resume,
// Renamed, Rotated or Truncated.
//
// A file is the recorded one when its inode is; it was truncated when it is
// now smaller than when last committed (or, for an uncompressed file, than
// the offset), or when its first bytes are not the ones recorded; a new
// path whose inode and first bytes match another path's record is that file
// renamed, and is read from where it was left. Start reads the first
// kilobyte of path to take its fingerprint, which Commit records.
func (s *State) Start(path string, fi os.FileInfo) (offset, lines int64, reason string) {
	k := key(path)
	ino := input.Inode(fi)
	size := fi.Size()
	s.mu.Lock()
	defer s.mu.Unlock()

	want := min(size, headMax)
	rec, ok := s.files[k]
	if ok && rec.HeadBytes > 0 && rec.HeadBytes <= size {
		want = max(want, rec.HeadBytes)
	}
	hd := readHead(path, fi, want)
	if hd != nil {
		s.heads[k] = head{inode: ino, n: min(int64(len(hd)), headMax), sum: sum(hd[:min(int64(len(hd)), headMax)])}
	} else {
		delete(s.heads, k)
	}
	matches := func(r File) bool {
		return r.HeadBytes == 0 || hd != nil && int64(len(hd)) >= r.HeadBytes && sum(hd[:r.HeadBytes]) == r.HeadSHA256
	}

	if !ok {
		// Rotated by rename: the file we had under another name. The
		// inode alone is not enough, inodes are reused; the first bytes
		// must match too.
		if ino != 0 && hd != nil {
			var best *File
			for _, r := range append(s.sortedFiles(), s.retired...) {
				if r.Inode == ino && r.HeadBytes > 0 && size >= r.Size && matches(r) &&
					(best == nil || r.Updated.After(best.Updated) || r.Updated.Equal(best.Updated) && r.Offset > best.Offset) {
					best = &r
				}
			}
			if best != nil {
				return best.Offset, best.Lines, Renamed
			}
		}
		return 0, 0, New
	}
	switch {
	case ino != 0 && rec.Inode != 0 && ino != rec.Inode:
		return 0, 0, Rotated
	case size < rec.Size, !rec.Compressed && size < rec.Offset, !matches(rec):
		return 0, 0, Truncated
	}
	return rec.Offset, rec.Lines, Resume
}

// readHead returns the first n bytes of path, or nil when path cannot be
// read or is no longer the file fi describes.
func readHead(path string, fi os.FileInfo, n int64) []byte {
	if n <= 0 || !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if now, err := f.Stat(); err != nil || !os.SameFile(now, fi) {
		return nil
	}
	b := make([]byte, n)
	k, err := io.ReadFull(f, b)
	if err != nil && k < int(n) {
		return nil
	}
	return b[:k]
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Commit records that f.Path has been read, and its actions stored, up to
// f.Offset. See the package documentation for which offset that may be.
// The fingerprint Start took is recorded with it, and Updated is set when
// zero. Commit only changes the state in memory; Save writes it.
func (s *State) Commit(f File) {
	f.Path = key(f.Path)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Updated.IsZero() {
		f.Updated = s.now().UTC()
	}
	if f.HeadSHA256 == "" {
		if h, ok := s.heads[f.Path]; ok && h.inode == f.Inode && h.n <= max(f.Size, f.Offset) {
			f.HeadBytes, f.HeadSHA256 = h.n, h.sum
		} else if old, ok := s.files[f.Path]; ok && old.Inode == f.Inode {
			f.HeadBytes, f.HeadSHA256 = old.HeadBytes, old.HeadSHA256
		}
	}
	if old, ok := s.files[f.Path]; ok && old.Inode != f.Inode && old.Inode != 0 {
		s.retired = append(s.retired, old)
	}
	// A retired file read under a new name is no longer retired.
	s.retired = slices.DeleteFunc(s.retired, func(r File) bool { return r.Inode == f.Inode && f.Inode != 0 })
	if len(s.retired) > maxRetired {
		slices.SortFunc(s.retired, func(a, b File) int { return b.Updated.Compare(a.Updated) })
		s.retired = s.retired[:maxRetired]
	}
	s.files[f.Path] = f
}

// Get returns the record of path.
func (s *State) Get(path string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[key(path)]
	return f, ok
}

// Files returns every record, by path.
func (s *State) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedFiles()
}

func (s *State) sortedFiles() []File {
	out := make([]File, 0, len(s.files))
	for _, f := range s.files {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// Prune forgets the files not committed since before, so that the records
// of rotated-away files do not pile up, and returns how many it forgot.
func (s *State) Prune(before time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, f := range s.files {
		if f.Updated.Before(before) {
			delete(s.files, k)
			n++
		}
	}
	s.retired = slices.DeleteFunc(s.retired, func(r File) bool { return r.Updated.Before(before) })
	return n
}

// Save writes the state to the path it was loaded from, atomically: to a
// temporary file in the same directory, synced to disk, then renamed over
// the old one (and the directory synced), so that a crash leaves either the
// old state or the new, never a torn one. The file is JSON:
//
//	{"version":1,"files":[{"path":"/var/log/nova/nova-api.log","inode":1234,"size":52431,
//	  "offset":52431,"lines":311,"head_bytes":1024,"head_sha256":"…","updated":"…"}]}
func (s *State) Save() error {
	s.mu.Lock()
	data, err := json.MarshalIndent(stateFile{Version: Version, Files: s.sortedFiles(), Retired: s.retired}, "", "\t")
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	data = append(data, '\n')
	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+".tmp*")
	if err != nil {
		return fmt.Errorf("state: cannot save: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("state: cannot save %s: %w", s.path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("state: cannot save %s: %w", s.path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("state: cannot save %s: %w", s.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state: cannot save %s: %w", s.path, err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("state: cannot save %s: %w", s.path, err)
	}
	done = true
	// The rename is durable once the directory is synced. Some systems
	// cannot sync a directory; the data itself is already on disk.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
