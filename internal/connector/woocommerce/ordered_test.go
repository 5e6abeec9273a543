package woocommerce

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// ordered holds at most width results (fetched or being fetched, not yet
// delivered) and delivers in index order.
func TestOrderedBoundedAndInOrder(t *testing.T) {
	const width = 3
	var outstanding, peak atomic.Int32
	next := 0
	err := ordered(context.Background(), 40, width,
		func(ctx context.Context, i int) (int, error) {
			n := outstanding.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(time.Duration(40-i%7) * 50 * time.Microsecond) // finish out of order
			return i, nil
		},
		func(i int, v int) error {
			if i != next || v != i {
				t.Fatalf("delivered %d (%d), want %d", i, v, next)
			}
			next++
			outstanding.Add(-1)
			return nil
		})
	if err != nil || next != 40 {
		t.Fatalf("%v after %d", err, next)
	}
	if p := peak.Load(); p > width {
		t.Fatalf("%d results outstanding, width %d", p, width)
	}
}

func TestOrderedStopsAtFirstErrorInOrder(t *testing.T) {
	boom := errors.New("pagina 5 kapot")
	var started atomic.Int32
	delivered := 0
	err := ordered(context.Background(), 100, 4,
		func(ctx context.Context, i int) (int, error) {
			started.Add(1)
			if i == 5 {
				return 0, boom
			}
			if i == 7 {
				return 0, errors.New("later error, reported only if 5 were fine")
			}
			return i, nil
		},
		func(i int, v int) error { delivered++; return nil })
	if !errors.Is(err, boom) || delivered != 5 {
		t.Fatalf("%v, %d delivered", err, delivered)
	}
	if started.Load() > 5+4 {
		t.Fatalf("%d fetches started", started.Load())
	}
}
