"""Pieces several packages share, at the bottom of the dependency graph: it imports no other
package of the app (see `docs/architecture.md`, "Dependency direction")."""
