import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The built-in role `manager`, so Warrant's tenant relations member / manager / admin all map onto roles. */
export class ManagerRole1763900007000 implements MigrationInterface {
  name = 'ManagerRole1763900007000';

  async up(q: QueryRunner): Promise<void> {
    const now = Date.now();
    const existing = (await q.query(`SELECT id FROM roles WHERE id = 'manager'`)) as unknown[];
    if (existing.length === 0) {
      await q.query(
        `INSERT INTO roles (id, name, description, created_at, updated_at) VALUES ('manager', 'Manager', 'Tenant manager', ${now}, ${now})`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM roles WHERE id = 'manager'`);
  }
}
