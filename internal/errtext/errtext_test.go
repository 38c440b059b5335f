package errtext

import (
	"errors"
	"testing"
)

func TestFolded(t *testing.T) {
	base := errors.New("failed to connect:\n\thost: refused\n\thost: refused")
	err := Folded(base)
	if err.Error() != "failed to connect:\n\thost: refused" || !errors.Is(err, base) {
		t.Errorf("Folded = %q (is base: %v)", err, errors.Is(err, base))
	}
	if one := errors.New("x"); Folded(one) != one || Folded(nil) != nil {
		t.Error("an error with nothing to fold was wrapped")
	}
}
