package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

// demoApplication is an application of the demo: a new applicant, or one of
// the demo suppliers' own admission.
type demoApplication struct {
	in       supplier.ApplicationInput
	state    admission.State // applied, in_review or admitted
	supplier string          // demo supplier it belongs to, for admitted ones
}

var applications = []demoApplication{
	{in: supplier.ApplicationInput{CompanyName: "Groene Woning B.V.", KvK: "69018420", VATID: "NL859412330B01",
		IBAN: "NL91ABNA0417164300", ContactName: "Anouk de Groot", Email: "info@groenewoning.example", Phone: "020 123 4567",
		Website: "https://www.groenewoning.example", Platform: string(admission.WooCommerce), AcceptTerms: true},
		state: admission.Admitted, supplier: "Groene Woning B.V."},
	{in: supplier.ApplicationInput{CompanyName: "Zonnig Wonen", KvK: "74125896", VATID: "NL002345678B03",
		IBAN: "NL20INGB0001234567", ContactName: "Ruben Zon", Email: "webshop@zonnigwonen.example", Phone: "030 765 4321",
		Website: "https://zonnigwonen.example", Platform: string(admission.CustomAPI), AcceptTerms: true},
		state: admission.Admitted, supplier: "Zonnig Wonen"},
	{in: supplier.ApplicationInput{CompanyName: "Warmte Winkel", KvK: "81234567", VATID: "NL812345670B01",
		IBAN: "DE89 3704 0044 0532 0130 00", ContactName: "Wim Warmte", Email: "wim@warmtewinkel.example", Phone: "+49 30 12345678",
		Website: "warmtewinkel.example", Platform: string(admission.Shopify), AcceptTerms: true},
		state: admission.Applied},
	{in: supplier.ApplicationInput{CompanyName: "Isolatie Direct", KvK: "55512345", VATID: "NL555123450B02",
		IBAN: "BE68 5390 0754 7034", ContactName: "Iris Isolatie", Email: "iris@isolatiedirect.example", Phone: "06 12345678",
		Website: "https://isolatiedirect.example", Platform: string(admission.Magento), AcceptTerms: true},
		state: admission.InReview},
}

// SeedAdmission adds the admission side of the demo: the demo suppliers'
// admitted applications, two applicants waiting for review, and published
// integration-test slots. Idempotent, like Seed, which must run first.
func SeedAdmission(ctx context.Context, st *store.Store, svc *supplier.Service) error {
	system := audit.Actor{Email: "demo-data"}
	for _, d := range applications {
		if _, err := st.ApplicationByKvK(ctx, d.in.KvK); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		a, err := svc.Apply(ctx, d.in, "127.0.0.1")
		if err != nil {
			return fmt.Errorf("demo application %s: %w", d.in.CompanyName, err)
		}
		if d.state == admission.Applied {
			continue
		}
		if err := svc.StartReview(ctx, system, a.ID); err != nil {
			return err
		}
		if d.state == admission.InReview {
			continue
		}
		// The demo suppliers exist already (Seed): link them instead of
		// creating new organisations as Admit would.
		sup, err := st.SupplierGetByName(ctx, d.supplier)
		if err != nil {
			return fmt.Errorf("demo supplier %s: %w", d.supplier, err)
		}
		err = st.InTx(ctx, func(tx *store.Store) error {
			locked, err := tx.ApplicationGetForUpdate(ctx, a.ID)
			if err != nil {
				return err
			}
			if _, err := tx.ApplicationMove(ctx, locked, admission.Admitted, system, "demo"); err != nil {
				return err
			}
			_, err = tx.ApplicationSetAdmitted(ctx, a.ID, sup.ID)
			return err
		})
		if err != nil {
			return fmt.Errorf("admitting demo application %s: %w", d.in.CompanyName, err)
		}
	}
	return seedSlots(ctx, st, svc, system)
}

// seedSlots publishes integration-test slots on the coming working days at
// 10:00, so a demo supplier that reports ready can book one.
func seedSlots(ctx context.Context, st *store.Store, svc *supplier.Service, actor audit.Actor) error {
	slots, err := st.TestSlotList(ctx, time.Now())
	if err != nil {
		return err
	}
	if len(slots) > 0 {
		return nil
	}
	staff, err := st.UserCredentialsByEmail(ctx, "support@demo.winstuitjewoning.nl")
	if err != nil {
		return err
	}
	day := time.Now().AddDate(0, 0, 2)
	for n := 0; n < 4; day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		if _, err := svc.CreateSlot(ctx, actor, supplier.SlotInput{
			Date: day.Format("2006-01-02"), Time: "10:00", Duration: "90", StaffID: strconv.FormatInt(staff.ID, 10),
		}); err != nil {
			return fmt.Errorf("demo slot: %w", err)
		}
		n++
	}
	return nil
}
