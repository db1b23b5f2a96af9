package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"rhetor/analyze"
	"rhetor/extract"
	"rhetor/store"
)

// schema is the part of an OpenAPI schema object the test reads.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	Items                *schema            `json:"items"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	OneOf                []*schema          `json:"oneOf"`
}

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Security  []map[string][]string `json:"security"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	return doc
}

// TestOpenAPIRoutes checks that the document lists exactly the routes the
// mux serves, with the same methods, that the read routes declare the
// optional read token, and that the write routes (and only
// they) declare the bearer token.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	e := newEnv(t, nil)
	var registered, documented []string
	accesses := map[string]access{}
	for _, r := range e.srv.routes {
		registered = append(registered, r.pattern())
		accesses[r.pattern()] = r.access
	}
	for path, item := range doc.Paths {
		for m, raw := range item {
			if m == "parameters" || m == "summary" || m == "description" {
				continue
			}
			p := strings.ToUpper(m) + " " + path
			documented = append(documented, p)
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			var want []map[string][]string
			switch accesses[p] {
			case read:
				want = []map[string][]string{{}, {"readBearer": {}}}
			case write:
				want = []map[string][]string{{"bearer": {}}}
			}
			if !reflect.DeepEqual(op.Security, want) {
				t.Errorf("%s: documented security %v, want %v (access %d)", p, op.Security, want, accesses[p])
			}
			if _, ok := op.Responses["200"]; !ok && p != "DELETE /v1/articles/{id}" {
				t.Errorf("%s documents no 200 response", p)
			}
		}
	}
	sort.Strings(registered)
	sort.Strings(documented)
	if !slices.Equal(registered, documented) {
		t.Errorf("routes and document differ:\nregistered %q\ndocumented %q", registered, documented)
	}
	// Every documented route answers (not the fallback's 404/405).
	for _, p := range documented {
		m, path, _ := strings.Cut(p, " ")
		path = strings.ReplaceAll(path, "{id}", "none")
		r := e.do(m, path, "")
		if r.status == http.StatusNotFound && path != "/v1/articles/none" && path != "/v1/stories/none" || r.status == http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d", p, r.status)
		}
	}
}

// TestOpenAPISchemas checks every documented schema against the Go type
// the handlers encode: the same property names, the non-omitempty fields
// required, and matching types down to nested objects.
func TestOpenAPISchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	types := map[string]reflect.Type{
		"Result":          reflect.TypeFor[analyze.Result](),
		"Record":          reflect.TypeFor[store.Record](),
		"Summary":         reflect.TypeFor[store.Summary](),
		"Page":            reflect.TypeFor[store.Page](),
		"Stats":           reflect.TypeFor[store.Stats](),
		"FragmentPage":    reflect.TypeFor[store.FragmentPage](),
		"ExtractRequest":  reflect.TypeFor[ExtractRequest](),
		"Document":        reflect.TypeFor[extract.Document](),
		"ArticleRequest":  reflect.TypeFor[ArticleRequest](),
		"AnalyzeResponse": reflect.TypeFor[AnalyzeResponse](),
		"ImportResponse":  reflect.TypeFor[ImportResponse](),
		"ErrorResponse":   reflect.TypeFor[ErrorResponse](),
		"Taxonomy":        reflect.TypeFor[Taxonomy](),
		"Health":          reflect.TypeFor[Health](),
		"StoryPage":       reflect.TypeFor[store.StoryPage](),
		"StoryDetail":     reflect.TypeFor[store.StoryDetail](),
		"MergeRequest":    reflect.TypeFor[MergeRequest](),
		"SplitRequest":    reflect.TypeFor[SplitRequest](),
	}
	c := &schemaChecker{t: t, schemas: doc.Components.Schemas, checked: map[string]reflect.Type{}}
	for name, typ := range types {
		c.check(name, &schema{Ref: "#/components/schemas/" + name}, typ)
	}
	for name := range doc.Components.Schemas {
		if _, ok := c.checked[name]; !ok {
			t.Errorf("schema %s matches no Go type the API encodes", name)
		}
	}
	// The responses name the schemas of what the handlers send.
	want := map[string]string{
		"post /v1/analyze 200":         "AnalyzeResponse",
		"post /v1/articles 201":        "Record",
		"get /v1/articles 200":         "Page",
		"get /v1/articles/{id} 200":    "Record",
		"get /v1/stats 200":            "Stats",
		"get /v1/fragments 200":        "FragmentPage",
		"post /v1/extract 200":         "Document",
		"get /v1/taxonomy 200":         "Taxonomy",
		"get /healthz 200":             "Health",
		"get /v1/articles/{id} 404":    "ErrorResponse",
		"post /v1/articles 400":        "ErrorResponse",
		"delete /v1/articles/{id} 401": "ErrorResponse",
		"get /v1/stories 200":          "StoryPage",
		"get /v1/stories/{id} 200":     "StoryDetail",
		"post /v1/stories/merge 200":   "StoryDetail",
		"post /v1/stories/split 200":   "StoryDetail",
	}
	for key, name := range want {
		f := strings.Fields(key)
		var op operation
		if err := json.Unmarshal(doc.Paths[f[1]][f[0]], &op); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		s := op.Responses[f[2]].Content["application/json"].Schema
		if s == nil || s.Ref != "#/components/schemas/"+name {
			t.Errorf("%s: schema %+v, want %s", key, s, name)
		}
	}
}

type schemaChecker struct {
	t       *testing.T
	schemas map[string]*schema
	checked map[string]reflect.Type
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// check compares schema s (at path where) with Go type typ.
func (c *schemaChecker) check(where string, s *schema, typ reflect.Type) {
	t := c.t
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		target, ok := c.schemas[name]
		if !ok {
			t.Errorf("%s: $ref %s is not defined", where, s.Ref)
			return
		}
		if typ == rawType && name == "Result" {
			// store.Record.Result holds an analyze.Result as JSON.
			typ = reflect.TypeFor[analyze.Result]()
		}
		if prev, ok := c.checked[name]; ok {
			if prev != typ {
				t.Errorf("%s: schema %s stands for both %v and %v", where, name, prev, typ)
			}
			return
		}
		c.checked[name] = typ
		c.check(name, target, typ)
		return
	}
	switch {
	case typ == timeType:
		c.want(where, s, "string")
	case typ.Kind() == reflect.String:
		c.want(where, s, "string")
	case typ.Kind() == reflect.Bool:
		c.want(where, s, "boolean")
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Uint64:
		c.want(where, s, "integer")
	case typ.Kind() == reflect.Float32 || typ.Kind() == reflect.Float64:
		c.want(where, s, "number")
	case typ.Kind() == reflect.Slice:
		c.want(where, s, "array")
		if s.Items == nil {
			t.Errorf("%s: array without items", where)
			return
		}
		c.check(where+"[]", s.Items, typ.Elem())
	case typ.Kind() == reflect.Map:
		c.want(where, s, "object")
		var add schema
		if err := json.Unmarshal(s.AdditionalProperties, &add); err != nil || add.Type == "" {
			t.Errorf("%s: a map needs additionalProperties with a type", where)
			return
		}
		c.check(where+"{}", &add, typ.Elem())
	case typ.Kind() == reflect.Struct:
		c.want(where, s, "object")
		fields := map[string]reflect.Type{}
		var required []string
		for f := range typ.Fields() {
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields[name] = f.Type
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
		var props []string
		for p := range s.Properties {
			props = append(props, p)
		}
		var goNames []string
		for n := range fields {
			goNames = append(goNames, n)
		}
		sort.Strings(props)
		sort.Strings(goNames)
		if !slices.Equal(props, goNames) {
			t.Errorf("%s: documented properties %q, Go type %v has JSON fields %q", where, props, typ, goNames)
		}
		req := slices.Clone(s.Required)
		sort.Strings(req)
		sort.Strings(required)
		if !slices.Equal(req, required) {
			t.Errorf("%s: documented required %q, Go type %v always sends %q", where, req, typ, required)
		}
		for _, n := range props {
			if ft, ok := fields[n]; ok {
				c.check(where+"."+n, s.Properties[n], ft)
			}
		}
	default:
		t.Errorf("%s: Go type %v has no schema rule", where, typ)
	}
}

func (c *schemaChecker) want(where string, s *schema, typ string) {
	if s.Type != typ {
		c.t.Errorf("%s: documented type %q, the Go type is a JSON %s", where, s.Type, typ)
	}
}
