package demoshop

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAdminPage(t *testing.T) {
	off := startShop(t, Options{Products: 3})
	if r := off.call(t, "GET", "/demoshop/", "", false); r.code != 404 {
		t.Errorf("admin page without AdminPage: %d", r.code)
	}

	ts := startShop(t, Options{Products: 30, AdminPage: true})
	r := ts.call(t, "GET", "/demoshop/", "", false)
	if r.code != 200 || !strings.Contains(string(r.body), "Product toevoegen") || !strings.Contains(string(r.body), `href="/demoshop/product/30"`) {
		t.Fatalf("list: %d %s", r.code, truncate(r.body))
	}
	if strings.Contains(string(r.body), `href="/demoshop/product/5"`) {
		t.Error("page 1 shows product 5 (25 per page, newest first)")
	}
	r = ts.call(t, "GET", "/demoshop/?page=2", "", false)
	if !strings.Contains(string(r.body), `href="/demoshop/product/5"`) {
		t.Error("page 2 lacks product 5")
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values, origin string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", ts.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, _ := post("/demoshop/product/1/price", url.Values{"regular": {"12,95"}, "sale": {"9,99"}}, ts.srv.URL)
	if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "ok=") {
		t.Fatalf("price form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if p, _ := ts.Product(1); p.RegularCents != 1295 || p.SaleCents == nil || *p.SaleCents != 999 {
		t.Errorf("price after form: %+v", p)
	}
	resp, _ = post("/demoshop/product/1/price", url.Values{"regular": {"5,00"}, "sale": {"6,00"}}, "")
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "fout=") {
		t.Errorf("invalid sale price accepted: %s", loc)
	}
	if p, _ := ts.Product(1); p.RegularCents != 1295 {
		t.Errorf("invalid form changed the price: %+v", p)
	}
	resp, _ = post("/demoshop/product/2/stock", url.Values{"manage": {"1"}, "qty": {"4"}}, "")
	if p, _ := ts.Product(2); resp.StatusCode != 303 || !p.ManageStock || p.StockQty == nil || *p.StockQty != 4 {
		t.Errorf("stock form: %+v", p)
	}
	post("/demoshop/product/3/trash", nil, "")
	if p, _ := ts.Product(3); p.Status != "trash" {
		t.Errorf("trash form: %s", p.Status)
	}
	post("/demoshop/add", url.Values{"name": {"Tochtrol"}, "type": {"variable"}, "regular": {"14,95"}, "category": {"18"}}, "")
	if st := ts.Stats(); st.Variable != 7 || st.Variations != 33 {
		t.Errorf("after adding a variable product: %+v", st)
	}
	resp, _ = post("/demoshop/product/4/name", url.Values{"name": {"Gekaapt"}}, "http://evil.example")
	if resp.StatusCode != 403 {
		t.Errorf("cross-origin POST: %d", resp.StatusCode)
	}
	r = ts.call(t, "GET", "/demoshop/product/5", "", false)
	if r.code != 200 || !strings.Contains(string(r.body), "Variatie toevoegen") {
		t.Errorf("variable product page: %d", r.code)
	}
}

func TestParseEuro(t *testing.T) {
	for in, want := range map[string]int64{"12,95": 1295, "12.9": 1290, "7": 700, "€ 0,05": 5} {
		if got, err := parseEuro(in); err != nil || got != want {
			t.Errorf("parseEuro(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "1,234", "-1", "abc"} {
		if _, err := parseEuro(in); err == nil {
			t.Errorf("parseEuro(%q) accepted", in)
		}
	}
}
