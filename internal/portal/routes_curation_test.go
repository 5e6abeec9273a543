package portal_test

// curationRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
var curationRouteMatrix = map[string]routeExpectation{}
