-- name: SupplierCreate :one
INSERT INTO suppliers (name) VALUES (@name) RETURNING *;

-- name: SupplierGet :one
SELECT * FROM suppliers WHERE id = @id;

-- name: SupplierGetByName :one
SELECT * FROM suppliers WHERE lower(name) = lower(@name);

-- name: SupplierList :many
SELECT * FROM suppliers ORDER BY name;
