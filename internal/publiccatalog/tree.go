package publiccatalog

import "slices"

// Node is a platform category as stored.
type Node struct {
	ID       int64
	ParentID *int64
	Name     string
	Slug     string
}

// Category is a platform category in the tree, with the number of visible
// products in it and its descendants once counted.
type Category struct {
	Node
	Parent   *Category
	Children []*Category
	Count    int
}

// Tree is the platform's category tree.
type Tree struct {
	Roots  []*Category
	byID   map[int64]*Category
	bySlug map[string]*Category
}

// NewTree builds the tree from nodes in display order. A node whose parent
// is missing, or that would close a cycle, becomes a root, so a damaged
// tree still shows every category once.
func NewTree(nodes []Node) *Tree {
	t := &Tree{byID: make(map[int64]*Category, len(nodes)), bySlug: make(map[string]*Category, len(nodes))}
	for _, n := range nodes {
		c := &Category{Node: n}
		t.byID[n.ID] = c
		t.bySlug[n.Slug] = c
	}
	for _, n := range nodes {
		c := t.byID[n.ID]
		if p := t.parentOf(n); p != nil {
			c.Parent = p
			p.Children = append(p.Children, c)
		} else {
			t.Roots = append(t.Roots, c)
		}
	}
	return t
}

// parentOf is n's parent unless that is missing or n is its own ancestor.
func (t *Tree) parentOf(n Node) *Category {
	if n.ParentID == nil {
		return nil
	}
	p := t.byID[*n.ParentID]
	for a, steps := p, 0; a != nil; a, steps = t.byIDParent(a), steps+1 {
		if a.ID == n.ID || steps > len(t.byID) {
			return nil
		}
	}
	return p
}

func (t *Tree) byIDParent(c *Category) *Category {
	if c.ParentID == nil {
		return nil
	}
	return t.byID[*c.ParentID]
}

// BySlug returns the category with the slug, or nil.
func (t *Tree) BySlug(slug string) *Category { return t.bySlug[slug] }

// ByID returns the category with the id, or nil.
func (t *Tree) ByID(id int64) *Category { return t.byID[id] }

// IDs returns the ids of every category.
func (t *Tree) IDs() []int64 {
	out := make([]int64, 0, len(t.byID))
	for id := range t.byID {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Subtree returns the ids of c and all its descendants.
func (c *Category) Subtree() []int64 {
	out := []int64{c.ID}
	for _, ch := range c.Children {
		out = append(out, ch.Subtree()...)
	}
	return out
}

// Path is c's ancestors from the root down, then c.
func (c *Category) Path() []*Category {
	var out []*Category
	for a := c; a != nil; a = a.Parent {
		out = append(out, a)
	}
	slices.Reverse(out)
	return out
}

// SetCounts fills every category's Count from the direct counts, adding
// each category's descendants.
func (t *Tree) SetCounts(direct map[int64]int) {
	var sum func(c *Category) int
	sum = func(c *Category) int {
		c.Count = direct[c.ID]
		for _, ch := range c.Children {
			c.Count += sum(ch)
		}
		return c.Count
	}
	for _, r := range t.Roots {
		sum(r)
	}
}
