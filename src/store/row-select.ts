import type { DataSource, EntitySchema } from 'typeorm';

/**
 * `col AS "property", …` for every column of an entity: plain SQL that returns rows shaped like
 * the entity, for reads on every request, where TypeORM's query builder costs more than the
 * database round trip. Built from the entity's metadata, so a new column cannot be missed.
 */
export function entityColumns<T>(ds: DataSource, entity: EntitySchema<T>): string {
  return ds
    .getMetadata(entity)
    .columns.map((c) => `${c.databaseName} AS "${c.propertyName}"`)
    .join(', ');
}
