package curation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// CategoryInput is a platform category as typed.
type CategoryInput struct {
	Name string
	// Slug is the URL name; empty derives it from Name.
	Slug     string
	ParentID *int64
	// Position orders siblings (lower first); 0 puts a new category last.
	Position int
}

// CategoryErrors are per-field Dutch messages (keys: name, slug, parent,
// position).
type CategoryErrors map[string]string

func (e CategoryErrors) Error() string { return "invalid platform category" }

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// unaccent drops the accents Dutch names use: "één" → "een".
var unaccent = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a", "å", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ç", "c", "ñ", "n", "ÿ", "y", "ĳ", "ij",
)

// Slugify turns a name into a URL name: "Slimme thermostaten & meters" →
// "slimme-thermostaten-meters"; accents are dropped.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range unaccent.Replace(strings.ToLower(s)) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

const maxCategoryName = 100

func (s *Service) checkCategory(ctx context.Context, id int64, in *CategoryInput) error {
	errs := CategoryErrors{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Slug = strings.TrimSpace(strings.ToLower(in.Slug))
	if in.Slug == "" {
		in.Slug = Slugify(in.Name)
	}
	switch {
	case in.Name == "":
		errs["name"] = "Vul een naam in."
	case utf8.RuneCountInString(in.Name) > maxCategoryName:
		errs["name"] = fmt.Sprintf("De naam mag hoogstens %d tekens lang zijn.", maxCategoryName)
	}
	switch {
	case in.Slug == "" && in.Name != "":
		errs["slug"] = "Vul een URL-naam in met letters of cijfers."
	case in.Slug != "" && (!slugPattern.MatchString(in.Slug) || len(in.Slug) > maxCategoryName):
		errs["slug"] = "De URL-naam mag alleen kleine letters, cijfers en losse streepjes bevatten, zoals ‘slimme-meters’."
	}
	if in.Position < 0 || in.Position > 1_000_000 {
		errs["position"] = "Vul een volgorde tussen 0 en 1.000.000 in."
	}
	if in.ParentID != nil {
		all, err := s.store.PlatformCategories(ctx)
		if err != nil {
			return err
		}
		parents := map[int64]*int64{}
		for _, c := range all {
			parents[c.ID] = c.ParentID
		}
		if _, ok := parents[*in.ParentID]; !ok {
			errs["parent"] = "Deze bovenliggende categorie bestaat niet (meer)."
		} else if id > 0 {
			// The new parent may not be the category itself or below it.
			for p, steps := in.ParentID, 0; p != nil && steps <= len(all); p, steps = parents[*p], steps+1 {
				if *p == id {
					errs["parent"] = "Een categorie kan niet onder zichzelf of een van haar subcategorieën staan."
					break
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// CreateCategory adds a platform category.
func (s *Service) CreateCategory(ctx context.Context, actor audit.Actor, in CategoryInput) (store.PlatformCategory, error) {
	if err := s.checkCategory(ctx, 0, &in); err != nil {
		return store.PlatformCategory{}, err
	}
	var out store.PlatformCategory
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		out, err = tx.PlatformCategoryCreate(ctx, in.ParentID, in.Name, in.Slug, in.Position)
		if err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditCategoryCreated, SubjectType: "platform_category",
			SubjectID: strconv.FormatInt(out.ID, 10), Detail: map[string]string{"name": out.Name, "slug": out.Slug}})
	})
	if errors.Is(err, store.ErrConflict) {
		return out, CategoryErrors{"slug": "Deze URL-naam is al in gebruik; kies een andere."}
	}
	return out, err
}

// UpdateCategory renames, moves or re-orders a platform category.
func (s *Service) UpdateCategory(ctx context.Context, actor audit.Actor, id int64, in CategoryInput) (store.PlatformCategory, error) {
	old, err := s.store.PlatformCategoryGet(ctx, id)
	if err != nil {
		return store.PlatformCategory{}, err
	}
	if err := s.checkCategory(ctx, id, &in); err != nil {
		return old, err
	}
	var out store.PlatformCategory
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		out, err = tx.PlatformCategoryUpdate(ctx, store.PlatformCategory{ID: id, ParentID: in.ParentID, Name: in.Name, Slug: in.Slug, Position: in.Position})
		if err != nil {
			return err
		}
		detail := map[string]string{"name": out.Name, "slug": out.Slug, "position": strconv.Itoa(out.Position)}
		if old.Name != out.Name {
			detail["from"] = old.Name
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditCategoryChanged, SubjectType: "platform_category",
			SubjectID: strconv.FormatInt(id, 10), Detail: detail})
	})
	if errors.Is(err, store.ErrConflict) {
		return old, CategoryErrors{"slug": "Deze URL-naam is al in gebruik; kies een andere."}
	}
	return out, err
}

// DeleteCategory deletes a platform category without subcategories or
// mappings.
func (s *Service) DeleteCategory(ctx context.Context, actor audit.Actor, id int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		c, err := tx.PlatformCategoryGet(ctx, id)
		if err != nil {
			return err
		}
		used, err := tx.PlatformCategoryInUse(ctx, id)
		if err != nil {
			return err
		}
		if used {
			return Refused{"Deze categorie heeft subcategorieën of gekoppelde categorieën van aanbieders; verplaats of ontkoppel die eerst."}
		}
		if err := tx.PlatformCategoryDelete(ctx, id); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditCategoryDeleted, SubjectType: "platform_category",
			SubjectID: strconv.FormatInt(id, 10), Detail: map[string]string{"name": c.Name}})
	})
}

// MapCategory maps a supplier category onto a platform category, or
// removes its mapping when platformCategoryID is 0. The products carrying
// the supplier category follow in the same transaction.
func (s *Service) MapCategory(ctx context.Context, actor audit.Actor, catalogCategoryID, platformCategoryID int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		cc, err := tx.CatalogCategoryGet(ctx, catalogCategoryID)
		if err != nil {
			return err
		}
		detail := map[string]string{"name": cc.Name, "environment": cc.Environment}
		if platformCategoryID == 0 {
			removed, err := tx.CategoryMappingDelete(ctx, catalogCategoryID)
			if err != nil || !removed {
				return err
			}
			detail["to"] = "geen"
		} else {
			pc, err := tx.PlatformCategoryGet(ctx, platformCategoryID)
			if errors.Is(err, store.ErrNotFound) {
				return Refused{"Deze platformcategorie bestaat niet (meer)."}
			}
			if err != nil {
				return err
			}
			if err := tx.CategoryMappingSet(ctx, catalogCategoryID, platformCategoryID, actor.UserID); err != nil {
				return err
			}
			detail["to"] = pc.Name
		}
		supplierID := cc.SupplierID
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditCategoryMapped, SubjectType: "catalog_category",
			SubjectID: strconv.FormatInt(catalogCategoryID, 10), SupplierID: &supplierID, Detail: detail})
	})
}
