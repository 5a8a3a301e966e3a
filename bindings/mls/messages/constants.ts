// Code points of the MLS wire format (RFC 9420 §6, §7, §12, and the IANA registries of §17).
// Registries that may grow (wire formats, extension, proposal and credential types; §17.2–§17.5)
// are uint16 and a decoder keeps unknown values; the enums fixed by the RFC's struct definitions
// (ContentType, SenderType, LeafNodeSource, NodeType, ProposalOrRefType) are uint8 and a value
// outside them makes the message undecodable.

/** ProtocolVersion (§6): only mls10. */
export const ProtocolVersion = { mls10: 1 } as const;

/** §17.2 MLS Wire Formats (uint16). */
export const WireFormat = {
  mls_public_message: 1,
  mls_private_message: 2,
  mls_welcome: 3,
  mls_group_info: 4,
  mls_key_package: 5,
} as const;
export type WireFormatName = keyof typeof WireFormat;

/** §6 ContentType (uint8). */
export const ContentType = { application: 1, proposal: 2, commit: 3 } as const;
export type ContentTypeName = keyof typeof ContentType;

/** §6 SenderType (uint8). */
export const SenderType = { member: 1, external: 2, new_member_proposal: 3, new_member_commit: 4 } as const;
export type SenderTypeName = keyof typeof SenderType;

/** §17.3 MLS Extension Types (uint16). */
export const ExtensionType = {
  application_id: 1,
  ratchet_tree: 2,
  required_capabilities: 3,
  external_pub: 4,
  external_senders: 5,
} as const;

/** §17.4 MLS Proposal Types (uint16). */
export const ProposalType = {
  add: 1,
  update: 2,
  remove: 3,
  psk: 4,
  reinit: 5,
  external_init: 6,
  group_context_extensions: 7,
} as const;
export type ProposalTypeName = keyof typeof ProposalType;

/** §17.5 MLS Credential Types (uint16). */
export const CredentialType = { basic: 1, x509: 2 } as const;

/** §7.2 LeafNodeSource (uint8). */
export const LeafNodeSource = { key_package: 1, update: 2, commit: 3 } as const;
export type LeafNodeSourceName = keyof typeof LeafNodeSource;

/** §7.8 / §12.4.3.3 NodeType (uint8). */
export const NodeType = { leaf: 1, parent: 2 } as const;

/** §12.4 ProposalOrRefType (uint8). */
export const ProposalOrRefType = { proposal: 1, reference: 2 } as const;

/** §13.5: the GREASE values reserved in every uint16 registry (0x0A0A, 0x1A1A, …, 0xEAEA). */
export const GREASE_VALUES: readonly number[] = Array.from({ length: 15 }, (_, i) => i * 0x1010 + 0x0a0a);

export function isGrease(value: number): boolean {
  return GREASE_VALUES.includes(value);
}

/** The name of `code` in `table`, or undefined. */
export function nameOf<T extends Record<string, number>>(table: T, code: number): keyof T | undefined {
  for (const key in table) if (table[key] === code) return key;
  return undefined;
}
