/** The Redis key of the tariff catalogue, built here only (DESIGN §5, Keys). */
export class CatalogKeys {
  constructor(readonly prefix = '') {}

  /** Hash: tariff id -> JSON tariff document. */
  tariffs(): string {
    return `${this.prefix}cfg:tariffs`;
  }
}
