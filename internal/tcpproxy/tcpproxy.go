// Package tcpproxy is a test helper: a TCP proxy on 127.0.0.1 in front of
// a real server (PostgreSQL, MariaDB) that a test can cut, mid-stream or
// between calls, and restore — its stand-in for a database that goes away
// during a run. No mocks: the server on the other side is real.
package tcpproxy

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy forwards TCP connections from a random port on 127.0.0.1 to a
// server, and can cut them.
type Proxy struct {
	t      testing.TB
	target string
	ln     net.Listener
	where  string

	mu     sync.Mutex
	conns  []net.Conn
	budget atomic.Int64 // client bytes still allowed; < 0 means no limit
	// spent, when set, is called instead of cutting when the budget runs
	// out; the bytes then go through.
	spent func()
	total atomic.Int64 // client bytes forwarded since CutAfter
	wg    sync.WaitGroup
}

// New starts a proxy to target (host:port); it is cut and waited for when
// the test ends.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, target: target, ln: ln, where: ln.Addr().String()}
	p.budget.Store(-1)
	p.serve(ln)
	t.Cleanup(func() { p.Cut(); p.wg.Wait() })
	return p
}

// Addr is the proxy's own address, to dial instead of the server's.
func (p *Proxy) Addr() string { return p.where }

func (p *Proxy) serve(ln net.Listener) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); p.forward(s, c, true) }()
			go func() { defer p.wg.Done(); p.forward(c, s, false) }()
		}
	}()
}

// forward copies from src to dst; toServer copies are counted against the
// budget, and spending it cuts everything.
func (p *Proxy) forward(dst, src net.Conn, toServer bool) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 && toServer {
			if b := p.budget.Load(); b >= 0 {
				if int64(n) > b {
					p.total.Add(b)
					if p.spent != nil {
						p.budget.Store(-1)
						p.spent()
						goto send
					}
					p.Cut()
					return
				}
				p.budget.Add(-int64(n))
				p.total.Add(int64(n))
			}
		}
	send:
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // io.EOF or a cut: either way this side is done
		}
	}
}

// Cut closes the listener and every connection: the server is gone, and
// new connections are refused.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
}

// CutAfter lets n more bytes through to the server, then cuts.
func (p *Proxy) CutAfter(n int64) {
	p.total.Store(0)
	p.budget.Store(n)
}

// CallAfter lets n more bytes through to the server, then calls f (once)
// and goes on forwarding. Set it before the proxy is used.
func (p *Proxy) CallAfter(n int64, f func()) {
	p.spent = f
	p.CutAfter(n)
}

// Sent is how many bytes reached the server since CutAfter.
func (p *Proxy) Sent() int64 { return p.total.Load() }

// Restore listens again on the same port: the server is back.
func (p *Proxy) Restore() {
	p.budget.Store(-1)
	ln, err := net.Listen("tcp", p.where)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.serve(ln)
}
