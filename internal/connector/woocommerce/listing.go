package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/wujw/ohis/internal/connector"
)

// PerPage is the page size OHIS asks for (WooCommerce's maximum).
const PerPage = 100

// MaxPages bounds any listing, so a shop whose paging is broken cannot
// keep OHIS busy forever.
const MaxPages = 100_000

// listing is one paged collection.
type listing struct {
	resource string // Page.Resource: "products", "variations", or a taxonomy
	path     string
	query    url.Values // without page; per_page is added
	// unpaged: the endpoint may ignore "page" and return everything at
	// once (WooCommerce's /products/attributes does); a page repeating the
	// previous one then ends the listing instead of failing it.
	unpaged bool
}

// listPage is one fetched page.
type listPage struct {
	items      []json.RawMessage
	total      int // X-WP-Total, -1 when missing or invalid
	totalPages int // X-WP-TotalPages, -1 when missing or invalid
}

// listStats says how a listing went.
type listStats struct {
	pages      int  // pages delivered
	items      int  // items delivered
	total      int  // X-WP-Total of page 1, -1 if unknown
	totalPages int  // X-WP-TotalPages of page 1, -1 if unknown
	followed   bool // totals unknown: pages were followed until an empty or short one
}

// fetchPage gets one page of l and checks it is a JSON array.
func (c *conn) fetchPage(ctx context.Context, l listing, page int) (listPage, error) {
	q := url.Values{}
	for k, v := range l.query {
		q[k] = v
	}
	q.Set("per_page", strconv.Itoa(PerPage))
	q.Set("page", strconv.Itoa(page))
	resp, err := c.do(ctx, request{method: http.MethodGet, path: l.path, query: q})
	if err != nil {
		return listPage{}, err
	}
	if resp.status < 200 || resp.status > 299 {
		return listPage{}, c.statusError(resp)
	}
	b := trimJSON(resp.body)
	if len(b) == 0 || b[0] != '[' {
		return listPage{}, c.badJSON(resp, "array")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		e := c.badJSON(resp, "array")
		e.Detail += fmt.Sprintf(" (page %d): %v", page, err)
		return listPage{}, e
	}
	return listPage{
		items:      items,
		total:      headerInt(resp.header, "X-WP-Total"),
		totalPages: headerInt(resp.header, "X-WP-TotalPages"),
	}, nil
}

func headerInt(h http.Header, name string) int {
	v := h.Get(name)
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// list reads every page of l. Page 1 comes first and tells how many pages
// there are; the rest are fetched concurrently (at most c.width at a time,
// so at most about that many pages are held in memory), mapped by conv in
// the fetching goroutine, and handed to deliver serially, in page order.
// Without usable totals, pages are followed one by one until an empty or
// short page. A page is never delivered twice and a listing never runs
// past MaxPages.
func list[T any](ctx context.Context, c *conn, l listing, conv func([]json.RawMessage) T, deliver func(connector.Page, T, int) error) (listStats, error) {
	st := listStats{total: -1, totalPages: -1}
	first, err := c.fetchPage(ctx, l, 1)
	if err != nil {
		return st, err
	}
	st.total, st.totalPages = first.total, first.totalPages
	if st.total >= 0 && st.totalPages >= 0 {
		// A shop that counts pages with another page size than ours still
		// gets all of its items read: pages past the end are just empty.
		st.totalPages = max(st.totalPages, (st.total+PerPage-1)/PerPage)
	}
	if st.totalPages > MaxPages {
		return st, &connector.Error{
			Code:    connector.CodeBadResponse,
			Message: fmt.Sprintf("%s meldt %d pagina's voor %s; dat is meer dan OHIS kan verwerken (hoogstens %d). Controleer de header X-WP-TotalPages.", c.subject(), st.totalPages, l.resource, MaxPages),
			Detail:  fmt.Sprintf("GET %s%s: X-WP-TotalPages=%d", c.base, l.path, st.totalPages),
		}
	}
	page := func(n int) connector.Page {
		p := connector.Page{Resource: l.resource, Number: n}
		if st.totalPages >= 0 {
			p.Total = st.totalPages
		}
		if st.total >= 0 {
			p.TotalItems = st.total
		}
		return p
	}
	emit := func(n int, raw []json.RawMessage, v T) error {
		if len(raw) == 0 {
			return nil
		}
		st.pages++
		st.items += len(raw)
		return deliver(page(n), v, len(raw))
	}
	if err := emit(1, first.items, conv(first.items)); err != nil {
		return st, err
	}

	if st.totalPages >= 0 {
		// Known number of pages: fetch 2..N concurrently, deliver in order.
		type result struct {
			raw []json.RawMessage
			v   T
		}
		err := ordered(ctx, st.totalPages-1, c.width,
			func(ctx context.Context, i int) (result, error) {
				p, err := c.fetchPage(ctx, l, i+2)
				if err != nil {
					return result{}, err
				}
				return result{p.items, conv(p.items)}, nil
			},
			func(i int, r result) error { return emit(i+2, r.raw, r.v) })
		return st, err
	}

	// Unknown totals: follow pages until an empty or short one.
	st.followed = true
	prev := first.items
	for n := 2; len(prev) >= PerPage; n++ {
		if n > MaxPages {
			return st, &connector.Error{
				Code:    connector.CodeBadResponse,
				Message: fmt.Sprintf("%s bleef pagina's met %s geven, ook na %d pagina's. Geef bij elke lijst de headers X-WP-Total en X-WP-TotalPages mee en geef een lege lijst voorbij de laatste pagina.", c.subject(), l.resource, MaxPages),
				Detail:  fmt.Sprintf("GET %s%s: no X-WP-TotalPages; followed pages until %d", c.base, l.path, MaxPages),
			}
		}
		p, err := c.fetchPage(ctx, l, n)
		if err != nil {
			if ce, ok := err.(*connector.Error); ok {
				ce.Detail += fmt.Sprintf(" (no X-WP-TotalPages: following pages, failed at page %d)", n)
			}
			return st, err
		}
		if len(p.items) > 0 && bytes.Equal(p.items[0], prev[0]) {
			// The API ignores "page": every page is the first one again.
			if l.unpaged {
				return st, nil
			}
			return st, &connector.Error{
				Code:    connector.CodeBadResponse,
				Message: fmt.Sprintf("%s geeft op pagina %d dezelfde %s als op de pagina ervoor: de parameter page werkt niet. Ondersteun page en per_page (tot 100) en geef de headers X-WP-Total en X-WP-TotalPages mee.", c.subject(), n, l.resource),
				Detail:  fmt.Sprintf("GET %s%s: no X-WP-TotalPages; page %d repeats page %d", c.base, l.path, n, n-1),
			}
		}
		if err := emit(n, p.items, conv(p.items)); err != nil {
			return st, err
		}
		prev = p.items
	}
	return st, nil
}

// ordered runs fetch for 0..count-1 with at most width in flight and calls
// deliver serially in index order. It stops at the first error in index
// order (or of deliver), cancels the fetches still running and waits for
// them before returning.
func ordered[T any](ctx context.Context, count, width int, fetch func(context.Context, int) (T, error), deliver func(int, T) error) error {
	if count <= 0 {
		return nil
	}
	width = max(width, 1)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	type result struct {
		v   T
		err error
	}
	queue := make([]chan result, 0, width)
	next := 0
	for done := 0; done < count; done++ {
		for next < count && len(queue) < width {
			ch := make(chan result, 1)
			i := next
			next++
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := fetch(ctx, i)
				ch <- result{v, err}
			}()
			queue = append(queue, ch)
		}
		var r result
		select {
		case r = <-queue[0]:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		queue = queue[1:]
		if r.err != nil {
			return r.err
		}
		if err := deliver(done, r.v); err != nil {
			return err
		}
	}
	return nil
}
