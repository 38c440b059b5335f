// Package osdata finds the real OpenStack log samples that tests read. They
// live outside the repository, in the workplace's shared/data/openstack (see
// its SOURCES.md for where each file came from and under which licence), and
// are not copied in.
package osdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Env names a directory that holds the samples, overriding the search.
const Env = "AUDITLOG_OPENSTACK_DATA"

// Dir returns the samples' directory. It looks at $AUDITLOG_OPENSTACK_DATA,
// then for shared/data/openstack beside the repository (../shared when the
// repository is a sibling of shared), then at /work/shared/data/openstack.
// When none exists the test fails under CI (CI set), since CI must not pass
// without the real logs, and is skipped elsewhere with a note on how to
// point at them.
func Dir(t testing.TB) string {
	t.Helper()
	if d, ok := find(); ok {
		return d
	}
	msg := "the OpenStack log samples are not here: set " + Env + " to shared/data/openstack"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Path returns the path of one sample file, relative to the samples'
// directory, failing (or skipping, as Dir does) when it is missing.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("sample %s: %v", rel, err)
	}
	return p
}

func find() (string, bool) {
	var cands []string
	if d := os.Getenv(Env); d != "" {
		cands = append(cands, d)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		// file is <repo>/internal/osdata/osdata.go; walk up from the repo.
		dir := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		for i := 0; i < 4; i++ {
			cands = append(cands, filepath.Join(dir, "shared", "data", "openstack"))
			dir = filepath.Dir(dir)
		}
	}
	cands = append(cands, "/work/shared/data/openstack")
	for _, c := range cands {
		if fi, err := os.Stat(filepath.Join(c, "SOURCES.md")); err == nil && !fi.IsDir() {
			return c, true
		}
	}
	return "", false
}
