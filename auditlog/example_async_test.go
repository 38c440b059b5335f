package auditlog_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/auditlog-go/auditlog/auditlog"
)

// An AsyncWriter goes between the handler and the destination, so that a slow
// or failing destination costs the service only what the policy allows. Close
// it before the program ends: lines still buffered are written then.
func ExampleNewAsyncWriter() {
	w := auditlog.NewAsyncWriter(os.Stderr, &auditlog.AsyncOptions{
		Policy:  auditlog.Drop,
		Service: "compute-api",
	})
	defer func() {
		if err := w.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	logger := auditlog.New(w, &auditlog.Options{Service: "compute-api"})
	logger.Info("service started")
}

// Under Block, the default, nothing is lost: Write waits for room, and Close
// writes every line accepted before it returns.
func ExampleAsyncWriter() {
	w := auditlog.NewAsyncWriter(os.Stdout, nil)
	w.Write([]byte(`{"kind":"log","level":"INFO","message":"service started"}` + "\n"))
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%+v\n", w.Stats())
	// Output:
	// {"kind":"log","level":"INFO","message":"service started"}
	// {Written:1 Dropped:0 Refused:0 Retries:0 Buffered:0}
}

// Under Drop, a line that does not fit in the buffer is dropped and counted,
// and the writer says so in a line of its own as soon as the destination takes
// a line again. Here the destination is a pipe that no one reads until five
// lines have been written into room for three.
func ExampleAsyncWriter_drop() {
	pr, pw := io.Pipe()
	line := `{"action":"charge","message":"card %d"}` + "\n"
	w := auditlog.NewAsyncWriter(pw, &auditlog.AsyncOptions{
		Policy:      auditlog.Drop,
		BufferBytes: 3 * len(fmt.Sprintf(line, 1)),
		Service:     "billing",
	})
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(w, line, i) // one Write per line
	}
	fmt.Println("dropped before delivery:", w.Dropped())

	// The drop report's timestamp is the time it was written; mask it.
	timestamp := regexp.MustCompile(`"timestamp":"[^"]*"`)
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Println(timestamp.ReplaceAllString(sc.Text(), `"timestamp":"…"`))
		}
	}()
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	pw.Close()
	<-read
	// Output:
	// dropped before delivery: 2
	// {"action":"charge","message":"card 1"}
	// {"attrs":{"dropped":2,"dropped_total":2},"kind":"log","level":"WARNING","message":"auditlog: dropped 2 lines","schema_version":1,"service":"billing","timestamp":"…"}
	// {"action":"charge","message":"card 2"}
	// {"action":"charge","message":"card 3"}
}

// ParsePolicy reads a policy from a flag or a configuration file, and refuses
// anything it does not know rather than guess.
func ExampleParsePolicy() {
	p, err := auditlog.ParsePolicy("drop")
	fmt.Println(p, err)
	_, err = auditlog.ParsePolicy("lossy")
	fmt.Println(err)
	// Output:
	// drop <nil>
	// auditlog: unknown delivery policy "lossy" (want block, drop or fail)
}
