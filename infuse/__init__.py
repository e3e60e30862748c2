"""InFuSe: Innovation of Future Public Services for the Cardiff Capital Region."""
