// Shared by the delivery-service scenario tests (ds-scenarios, ds-pcs, ds-mixed): a wirecrypt
// installation on a DeliveryClient — its KeyPackage and secrets, and once in a group, the group and
// its GroupChannel (each test file chooses the channel's options in attachAt) — the loop that builds
// a group through the service, and a DeliveryService (memory store) on loopback for a describe block.
import { WebSocket } from 'ws';
import { afterAll, beforeAll, expect } from 'vitest';
import { DeliveryClient, type GroupChannel, type WebSocketConstructor } from '../../bindings/mls/ds/index.js';
import { DeliveryService } from '../../bindings/mls/ds/service.js';
import { type Group, type KeyPackageSecrets, createGroup, createKeyPackage, joinGroup } from '../../bindings/mls/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const WS = WebSocket as unknown as WebSocketConstructor;

export abstract class DsMember {
  /** Replaceable: a test may swap in a client with a lossy transport. */
  client: DeliveryClient;
  readonly secrets: KeyPackageSecrets;
  readonly keyPackage: Uint8Array;
  installation = '';
  group!: Group;
  channel!: GroupChannel;

  constructor(readonly name: string, url: string, readonly suite?: number) {
    this.client = new DeliveryClient({ url, WebSocket: WS });
    const { keyPackage, secrets } = createKeyPackage({ identity: bytes(name), ...(suite !== undefined ? { suite } : {}) });
    this.keyPackage = keyPackage;
    this.secrets = secrets;
  }

  /** Attaches the group to a channel reading the log from `cursor`. */
  protected abstract attachAt(cursor: number): void;

  async upload(): Promise<this> {
    this.installation = await this.client.uploadKeyPackage(this.keyPackage);
    return this;
  }

  /** Creates the group and attaches it at cursor 0. */
  create(): this {
    this.group = createGroup({ identity: bytes(this.name), ...(this.suite !== undefined ? { suite: this.suite } : {}) });
    this.attachAt(0);
    return this;
  }

  /** Waits for the Welcome in its mailbox, joins, and attaches after the Commit that added it. */
  async join(): Promise<this> {
    const welcome = await this.client.nextWelcome(this.installation, { timeoutMs: 10_000 });
    this.group = joinGroup(welcome.data, this.secrets);
    expect(welcome.group).toBe(hex(this.group.groupId));
    this.attachAt(welcome.seq);
    return this;
  }

  close(): void {
    this.channel?.close();
    this.client.close();
  }
}

/** The first member creates the group and adds the others one Commit each (KeyPackages through the directory). */
export async function buildGroup<M extends DsMember>([creator, ...rest]: readonly M[]): Promise<M[]> {
  creator!.create();
  const members = [creator!];
  for (const m of rest) {
    await m.upload();
    const { seq } = await creator!.channel.add([m.installation]);
    await Promise.all(members.map((x) => x.channel.waitFor(seq)));
    members.push(await m.join());
  }
  return members;
}

/**
 * A DeliveryService (memory store) on loopback for the enclosing describe block; `track` registers
 * what to close after it. Read `url()` inside tests (it is set in beforeAll).
 */
export function deliveryServiceForTests(): { url: () => string; track: <T extends { close(): void }>(m: T) => T } {
  let service: DeliveryService;
  let url = '';
  const everyone: { close(): void }[] = [];
  beforeAll(async () => {
    service = new DeliveryService();
    url = (await service.listen()).url;
  });
  afterAll(async () => {
    for (const m of everyone) m.close();
    await service.close();
  });
  return { url: () => url, track: (m) => (everyone.push(m), m) };
}
