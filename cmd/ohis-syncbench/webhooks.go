package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/wujw/ohis/internal/connector/woocommerce"
)

// latencies are measured durations; p is the nearest-rank percentile.
type latencies []time.Duration

func (l latencies) p(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

type webhookResult struct {
	sent, applied, other int
	answer, applyLat     latencies
	// wait is job inserted → picked up, work picked up → done.
	wait, work latencies
}

// webhooks plays the shop: signed product.updated deliveries, each a newer
// version (another price, a later date_modified) of a different product,
// posted at rate per second to the portal's endpoint.
func (b *bench) webhooks(ctx context.Context, s *shop, rate int, dur time.Duration) (webhookResult, error) {
	var res webhookResult
	n := int(float64(rate) * dur.Seconds())
	rows, err := b.a.Pool.Query(ctx, `SELECT external_id FROM products WHERE connection_id = $1 AND type = 'simple' AND deleted_at IS NULL ORDER BY id LIMIT $2`, s.connID, n)
	if err != nil {
		return res, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return res, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if len(ids) < n {
		return res, fmt.Errorf("only %d simple products for %d webhooks; use more products or fewer webhooks", len(ids), n)
	}
	secret, err := b.a.Connections.WebhookSecret(ctx, s.connID)
	if err != nil {
		return res, err
	}
	bodies, err := b.payloads(ctx, s, ids)
	if err != nil {
		return res, err
	}

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	endpoint := fmt.Sprintf("%s/webhooks/%d", b.url, s.connID)
	sent := make([]time.Time, n)
	answer := make(latencies, n)
	status := make([]int, n)
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(woocommerce.HeaderTopic, "product.updated")
			req.Header.Set(woocommerce.HeaderSignature, woocommerce.Sign(bodies[i], secret))
			req.Header.Set(woocommerce.HeaderDelivery, fmt.Sprintf("bench-%d", i))
			sent[i] = time.Now()
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answer[i] = time.Since(sent[i])
			status[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	res.sent = n
	for _, st := range status {
		if st != http.StatusOK {
			return res, fmt.Errorf("a delivery was answered %d", st)
		}
	}
	res.answer = answer

	// Wait for processing, then read when each product was written.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var pending int
		if err := b.a.Pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE connection_id = $1 AND processed_at IS NULL`, s.connID).Scan(&pending); err != nil {
			return res, err
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%d deliveries not processed after 2 minutes", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	index := make(map[string]int, n)
	for i, id := range ids {
		index[id] = i
	}
	rows, err = b.a.Pool.Query(ctx, `SELECT resource_id, processed_at, result FROM webhook_deliveries WHERE connection_id = $1 AND received_at >= $2`,
		s.connID, start.Add(-time.Second))
	if err != nil {
		return res, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, result string
		var at time.Time
		if err := rows.Scan(&id, &at, &result); err != nil {
			return res, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		if result != "applied" {
			res.other++
			continue
		}
		res.applied++
		res.applyLat = append(res.applyLat, at.Sub(sent[i]))
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	rows.Close()
	jobs, err := b.a.Pool.Query(ctx, `SELECT attempted_at - created_at, finalized_at - attempted_at FROM river_job
		WHERE kind = 'webhook_delivery' AND state = 'completed' AND created_at >= $1`, start.Add(-time.Second))
	if err != nil {
		return res, err
	}
	defer jobs.Close()
	for jobs.Next() {
		var wait, work time.Duration
		if err := jobs.Scan(&wait, &work); err != nil {
			return res, err
		}
		res.wait = append(res.wait, wait)
		res.work = append(res.work, work)
	}
	return res, jobs.Err()
}

// payloads fetches each product from the shop and makes a newer version of
// it: another regular price, no sale, date_modified an hour later.
func (b *bench) payloads(ctx context.Context, s *shop, ids []string) ([][]byte, error) {
	out := make([][]byte, len(ids))
	errs := make([]error, len(ids))
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/wp-json/wc/v3/products/"+id, nil)
			req.SetBasicAuth(shopKey, shopSecret)
			resp, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			var m map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
				errs[i] = fmt.Errorf("product %s: %w", id, err)
				return
			}
			price := fmt.Sprintf("%d.%02d", 10+i%90, i%100)
			m["regular_price"], m["price"], m["sale_price"], m["on_sale"] = price, price, "", false
			m["date_on_sale_from"], m["date_on_sale_from_gmt"], m["date_on_sale_to"], m["date_on_sale_to_gmt"] = nil, nil, nil, nil
			for _, k := range []string{"date_modified", "date_modified_gmt"} {
				if v, ok := m[k].(string); ok {
					if t, err := time.Parse("2006-01-02T15:04:05", v); err == nil {
						m[k] = t.Add(time.Hour).Format("2006-01-02T15:04:05")
					}
				}
			}
			out[i], errs[i] = json.Marshal(m)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
