// mmtls against known answers (spec §11) and against an independent reading of the spec:
//
//  * Citizen Lab's record known answer (a ClientFinished sealed with AES-128-GCM) and ECDH → SHA-256
//    known answer (citizenlab_kats.json);
//  * the real 0-RTT short-link request and response (citizenlab-raw/*.hex, with the per-record keys of
//    citizenlab_0rtt_shortlink_records.json): split, decrypted, every handshake message decoded and
//    re-encoded byte for byte;
//  * RFC 8448 §3: `expand` is HKDF-Expand-SHA256 with the info given as raw bytes;
//  * the mmtls labels (spec §6) recomputed with @noble/hashes for random inputs;
//  * whole handshakes run in memory, captured, and checked record by record with @noble/* following
//    spec §4.2, §6 and §7 (and the designed 1-RTT PSK of §9.2 as key-schedule.ts documents it).
import { readFileSync } from 'node:fs';
import { gcm } from '@noble/ciphers/aes.js';
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import { expand as nobleExpand, extract as nobleExtract } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  applicationKeys, earlyDataKey, earlyResponseKey, ecdheSecret, expand, finishedData, handshakeKeys, resumptionSecrets,
} from '../../bindings/mmtls/crypto/key-schedule.js';
import { Transcript } from '../../bindings/mmtls/crypto/transcript.js';
import { MmtlsError } from '../../bindings/mmtls/errors.js';
import { CipherSuite, decodeClientHello, encodeClientHello } from '../../bindings/mmtls/handshake/client-hello.js';
import { decodeServerHello, encodeServerHello } from '../../bindings/mmtls/handshake/server-hello.js';
import { TicketType, decodeNewSessionTicket } from '../../bindings/mmtls/handshake/session-ticket.js';
import {
  decodeCertificateVerify, decodeEncryptedExtensions, decodeFinished, encodeEncryptedExtensions, encodeFinished,
} from '../../bindings/mmtls/handshake/small-messages.js';
import { decodeDataPart, encodeDataPart } from '../../bindings/mmtls/net/short-link.js';
import { decodeAlert, encodeAlert } from '../../bindings/mmtls/record/alert.js';
import { RecordStream } from '../../bindings/mmtls/record/cipher.js';
import { type MmtlsRecord, RecordType, type RecordTypeCode, splitRecords } from '../../bindings/mmtls/record/record.js';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { capturingProvider, concat, looseHex, recordingPump, type Wire } from './capture.js';
import { makePair, serverSetup, verifyKeyOf } from './pair.js';

const VECTORS = new URL('../../../shared/vectors/', import.meta.url);
const rawPacket = (name: string): Uint8Array => looseHex(readFileSync(new URL(`mmtls/citizenlab-raw/${name}`, VECTORS), 'utf8'));
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

/** The IV whose nonce for `seq` is `nonce` (spec §4.2: nonce = iv XOR seq in the last 4 bytes). */
function ivFromNonce(nonce: Uint8Array, seq: number): Uint8Array {
  const iv = nonce.slice();
  iv[8]! ^= seq >>> 24;
  iv[9]! ^= seq >>> 16;
  iv[10]! ^= seq >>> 8;
  iv[11]! ^= seq;
  return iv;
}

/** The 32-byte scalar of a DER ECPrivateKey (RFC 5915: SEQUENCE { INTEGER 1, OCTET STRING key, ... }). */
function scalarFromEcPrivateKey(der: Uint8Array): Uint8Array {
  expect(der[0], 'SEQUENCE').toBe(0x30);
  expect(der[1], 'short-form length of the rest').toBe(der.length - 2);
  expect([...der.subarray(2, 5)], 'INTEGER 1 (ecPrivkeyVer1)').toEqual([0x02, 0x01, 0x01]);
  expect([...der.subarray(5, 7)], 'OCTET STRING of 32 bytes').toEqual([0x04, 0x20]);
  return der.slice(7, 39);
}

/** The uncompressed public key in the [1] publicKey field of the same ECPrivateKey. */
function publicFromEcPrivateKey(der: Uint8Array): Uint8Array {
  const at = der.indexOf(0xa1, 39);
  expect([...der.subarray(at, at + 5)], '[1] { BIT STRING 66 bytes, 0 unused bits }').toEqual([0xa1, 0x44, 0x03, 0x42, 0x00]);
  return der.slice(at + 5, at + 5 + 65);
}

// ---- Citizen Lab known answers ----------------------------------------------------------------------

const kats = loadVectors('mmtls/citizenlab_kats.json');
const shortlink = loadVectors('mmtls/citizenlab_0rtt_shortlink_records.json');

interface JsonRecord {
  type: string;
  version: string;
  length: number;
  encrypted: boolean;
  key?: string;
  nonce?: string;
  aad?: string;
  record: string;
  plaintext?: string;
  plaintext_len?: number;
}

const TRUNCATED = '...(truncated';
/** The hex the JSON gives, without its truncation marker; `whole` says whether it was complete. */
function jsonHex(text: string): { hex: string; whole: boolean } {
  const cut = text.indexOf(TRUNCATED);
  return cut < 0 ? { hex: text, whole: true } : { hex: text.slice(0, cut), whole: false };
}

function recordBytes(r: MmtlsRecord): Uint8Array {
  return concat(r.header, r.body);
}

describe('the vector files are what these tests expect', () => {
  it('citizenlab_0rtt_shortlink_records.json: 4 + 4 records, 3 + 3 of them encrypted, 2 + 2 truncated', () => {
    const req: JsonRecord[] = shortlink.packets['autoauth-request-packet.hex'];
    const res: JsonRecord[] = shortlink.packets['autoauth-response-packet.hex'];
    expect(req.map((r) => r.type)).toEqual(['0x19', '0x19', '0x17', '0x15']);
    expect(res.map((r) => r.type)).toEqual(['0x16', '0x16', '0x17', '0x15']);
    expect([...req, ...res].filter((r) => r.encrypted).length).toBe(6);
    expect([...req, ...res].filter((r) => !jsonHex(r.record).whole).length).toBe(2);
    expect([...req, ...res].filter((r) => r.plaintext !== undefined && !jsonHex(r.plaintext).whole).length).toBe(2);
  });
});

forEachProvider((provider) => {
  describe(`Citizen Lab known answers (${provider.name})`, () => {
    const kat = kats.record_aes_128_gcm;

    it('the ClientFinished record: seal at seq 1 reproduces the record byte for byte', () => {
      const nonce = hex(kat.nonce);
      const stream = new RecordStream(provider);
      stream.setKey({ key: hex(kat.key), iv: ivFromNonce(nonce, 1) });
      stream.countPlain();
      expect(stream.sequence).toBe(1);
      const record = stream.seal(RecordType.handshake, hex(kat.plaintext_client_finished));
      expect(toHex(record)).toBe(kat.record_header_ciphertext_tag);
      expect(stream.sequence).toBe(2);
      // the KAT's AAD is seq (u64) ‖ header: the record's own header
      expect(toHex(record.subarray(0, 5))).toBe(kat.aad_seq8_hdr5.slice(16));
      expect(kat.aad_seq8_hdr5.slice(0, 16)).toBe('0000000000000001');
    });

    it('the ClientFinished record: open at seq 1 gives the Finished, and it decodes and re-encodes', () => {
      const bytes = hex(kat.record_header_ciphertext_tag);
      const [record, ...rest] = splitRecords(bytes);
      expect(rest).toEqual([]);
      expect(record!.type).toBe(RecordType.handshake);
      const stream = new RecordStream(provider);
      stream.setKey({ key: hex(kat.key), iv: ivFromNonce(hex(kat.nonce), 1) });
      stream.countPlain();
      const plaintext = stream.open(record!);
      expect(toHex(plaintext)).toBe(kat.plaintext_client_finished);
      expect(stream.sequence).toBe(2);
      const verifyData = decodeFinished(plaintext);
      expect(toHex(verifyData)).toBe(kat.plaintext_client_finished.slice(14));
      expect(toHex(encodeFinished(verifyData))).toBe(kat.plaintext_client_finished);
    });

    it('the ClientFinished record: at seq 0 or 2 it does not authenticate', () => {
      const [record] = splitRecords(hex(kat.record_header_ciphertext_tag));
      for (const plainBefore of [0, 2]) {
        const stream = new RecordStream(provider);
        stream.setKey({ key: hex(kat.key), iv: ivFromNonce(hex(kat.nonce), 1) });
        for (let i = 0; i < plainBefore; i++) stream.countPlain();
        let error: unknown;
        try {
          stream.open(record!);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(MmtlsError);
        expect((error as MmtlsError).alert).toBe('bad_record_mac');
        expect(stream.sequence).toBe(plainBefore);
      }
    });

    it('ECDH P-256 → SHA-256: ecdheSecret gives the known shared key', () => {
      const e = kats.ecdh_p256_shared_key;
      const der = hex(e.client_priv_der);
      const scalar = scalarFromEcPrivateKey(der);
      expect(scalar.length).toBe(32);
      // the scalar belongs to the public key written in the same DER
      expect(toHex(provider.dh('P-256').publicKey(scalar))).toBe(toHex(publicFromEcPrivateKey(der)));
      const peer = hex(e.server_pub_uncompressed);
      expect(toHex(provider.dh('P-256').sharedSecret(scalar, peer))).toBe(e.x_coordinate);
      expect(toHex(ecdheSecret(provider, scalar, peer))).toBe(e.sha256_x_expected);
      expect(toHex(sha256(hex(e.x_coordinate)))).toBe(e.sha256_x_expected);
    });
  });

  describe(`the real 0-RTT short-link request and response (${provider.name})`, () => {
    const packets: Array<[string, RecordTypeCode[]]> = [
      ['autoauth-request-packet.hex', [0x19, 0x19, 0x17, 0x15]],
      ['autoauth-response-packet.hex', [0x16, 0x16, 0x17, 0x15]],
    ];

    /** The packet's records and their plaintexts (the plaintext record as is; the others decrypted). */
    function readPacket(name: string): { records: MmtlsRecord[]; plaintexts: Uint8Array[] } {
      const json: JsonRecord[] = shortlink.packets[name];
      const records = splitRecords(rawPacket(name));
      const encrypted = json.find((r) => r.encrypted)!;
      const stream = new RecordStream(provider);
      stream.setKey({ key: hex(encrypted.key!), iv: ivFromNonce(hex(encrypted.nonce!), 1) });
      const plaintexts = records.map((record, i) => {
        if (!json[i]!.encrypted) {
          stream.countPlain();
          return record.body;
        }
        return stream.open(record);
      });
      return { records, plaintexts };
    }

    for (const [name, types] of packets) {
      it(`${name}: splits into the records of the JSON, and they decrypt to its plaintexts`, () => {
        const json: JsonRecord[] = shortlink.packets[name];
        const bytes = rawPacket(name);
        const records = splitRecords(bytes);
        expect(records.map((r) => r.type)).toEqual(types);
        expect(records.map((r) => r.type)).toEqual(json.map((r) => Number(r.type)));
        expect(records.map((r) => r.body.length)).toEqual(json.map((r) => r.length));
        expect(records.every((r) => toHex(r.header.subarray(1, 3)) === 'f104')).toBe(true);
        expect(json.every((r) => r.version === 'f104')).toBe(true);
        expect(toHex(concat(...records.map(recordBytes)))).toBe(toHex(bytes));
        records.forEach((r, i) => {
          const want = jsonHex(json[i]!.record);
          const got = toHex(recordBytes(r));
          if (want.whole) expect(got, `record ${i}`).toBe(want.hex);
          else expect(got.startsWith(want.hex) && want.hex.length >= 128, `record ${i} prefix`).toBe(true);
        });

        // one key per direction; the nonces are iv XOR seq for seq 1, 2, 3
        const encrypted = json.filter((r) => r.encrypted);
        expect(new Set(encrypted.map((r) => r.key)).size).toBe(1);
        const iv = ivFromNonce(hex(encrypted[0]!.nonce!), 1);
        json.forEach((r, seq) => {
          if (!r.encrypted) return expect(seq).toBe(0);
          expect(toHex(ivFromNonce(iv, seq)), `nonce of seq ${seq}`).toBe(r.nonce);
          expect(r.aad, `aad of seq ${seq}`).toBe(`${seq.toString(16).padStart(16, '0')}${toHex(records[seq]!.header)}`);
        });

        const stream = new RecordStream(provider);
        stream.setKey({ key: hex(encrypted[0]!.key!), iv });
        records.forEach((record, i) => {
          const r = json[i]!;
          if (!r.encrypted) {
            stream.countPlain();
            return;
          }
          const plaintext = stream.open(record);
          expect(plaintext.length, `plaintext_len of record ${i}`).toBe(r.plaintext_len);
          expect(record.body.length).toBe(r.plaintext_len! + 16);
          const want = jsonHex(r.plaintext!);
          if (want.whole) expect(toHex(plaintext), `plaintext of record ${i}`).toBe(want.hex);
          else expect(toHex(plaintext).slice(0, want.hex.length), `plaintext prefix of record ${i}`).toBe(want.hex);
        });
        expect(stream.sequence).toBe(4);
      });

      it(`${name}: sealing the plaintexts again at the same sequence numbers reproduces every record`, () => {
        const json: JsonRecord[] = shortlink.packets[name];
        const { records, plaintexts } = readPacket(name);
        const encrypted = json.find((r) => r.encrypted)!;
        const stream = new RecordStream(provider);
        stream.setKey({ key: hex(encrypted.key!), iv: ivFromNonce(hex(encrypted.nonce!), 1) });
        records.forEach((record, i) => {
          if (!json[i]!.encrypted) return stream.countPlain();
          expect(toHex(stream.seal(record.type, plaintexts[i]!)), `record ${i}`).toBe(toHex(recordBytes(record)));
        });
      });
    }

    it('the request: the 0-RTT ClientHello decodes to spec §5.2 table and re-encodes byte for byte', () => {
      const { records } = readPacket('autoauth-request-packet.hex');
      const body = records[0]!.body;
      expect(records[0]!.type).toBe(RecordType.earlyHandshake);
      expect(toHex(body.subarray(0, 4))).toBe('0000009d');
      const ch = decodeClientHello(body);
      expect(ch.suites).toEqual([0x00a8]);
      expect(ch.suites).toEqual([CipherSuite.psk]);
      expect(toHex(ch.random)).toBe('4f6776fbb4668f2a36bb557494c40ccdc8bbf44441b024d88ec48629cc35e21b');
      expect(ch.timestamp).toBe(0x656e783c);
      expect(new Date(ch.timestamp * 1000).toISOString()).toBe('2023-12-05T01:09:16.000Z');
      expect(ch.keyShares).toBeUndefined();
      expect(ch.keyShareTrailer).toBeUndefined();
      expect(ch.otherExtensions).toEqual([]);
      const t = ch.psk!;
      expect(t.type).toBe(TicketType.access);
      expect(t.type).toBe(1);
      expect(t.lifetime).toBe(604800);
      expect(t.ageAdd.length).toBe(0);
      expect(t.unknown).toBe(0x3d);
      expect(toHex(t.nonce)).toBe('ce4f44552ea934fcaad4e9af');
      expect(t.ticket.length).toBe(72);
      expect(toHex(t.ticket)).toBe(
        '00f2e6a8769fb11a95ccb89baa474a75e141fcef7af6fcba8930ca4efffedc6823bbfe14690964540b40a4499bd56f7b697f3ee69e2b18fe75686cb5157080a606599e00f8bc1f3e',
      );
      // the ticket is the last thing in the hello (offset 67 of the record: type, lifetime, …)
      expect(toHex(body.subarray(62, 75))).toBe('0100093a8000000000003d000c');
      expect(toHex(encodeClientHello(ch))).toBe(toHex(body));
    });

    it('the request: EncryptedExtensions carries the hello timestamp and re-encodes byte for byte', () => {
      const { records, plaintexts } = readPacket('autoauth-request-packet.hex');
      expect(records[1]!.type).toBe(RecordType.earlyHandshake);
      const ee = plaintexts[1]!;
      expect(toHex(ee)).toBe('00000010080000000b01000000060012656e783c');
      const timestamp = decodeEncryptedExtensions(ee);
      expect(timestamp).toBe(decodeClientHello(records[0]!.body).timestamp);
      expect(timestamp).toBe(0x656e783c);
      expect(toHex(encodeEncryptedExtensions(timestamp))).toBe(toHex(ee));
    });

    it('the request: its application data is the short-link data part for /cgi-bin/micromsg-bin/secautoauth', () => {
      const { records, plaintexts } = readPacket('autoauth-request-packet.hex');
      expect(records[2]!.type).toBe(RecordType.applicationData);
      const data = plaintexts[2]!;
      // parsed here by hand first: u32 len ‖ u16 uri_len ‖ uri ‖ u16 host_len ‖ host ‖ u32 body_len ‖ body
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const total = view.getUint32(0);
      expect(total).toBe(0x1544);
      expect(total).toBe(data.length - 4);
      const uriLength = view.getUint16(4);
      const uri = latin1(data.subarray(6, 6 + uriLength));
      const hostLength = view.getUint16(6 + uriLength);
      const host = latin1(data.subarray(8 + uriLength, 8 + uriLength + hostLength));
      const bodyAt = 8 + uriLength + hostLength;
      const bodyLength = view.getUint32(bodyAt);
      expect([uriLength, uri]).toEqual([33, '/cgi-bin/micromsg-bin/secautoauth']);
      expect([hostLength, host]).toEqual([18, 'sgshort.wechat.com']);
      expect(bodyLength).toBe(0x1509);
      expect(bodyAt + 4 + bodyLength).toBe(data.length);
      expect(data[bodyAt + 4]).toBe(0xbf);
      // and by the short-link codec, which re-encodes it byte for byte
      const part = decodeDataPart(data);
      expect(part.uri).toBe(uri);
      expect(part.host).toBe(host);
      expect(toHex(part.body)).toBe(toHex(data.subarray(bodyAt + 4)));
      expect(toHex(encodeDataPart(part))).toBe(toHex(data));
    });

    it('the response: the 0-RTT ServerHello (suite 0x00a8, no key share) re-encodes byte for byte', () => {
      const { records } = readPacket('autoauth-response-packet.hex');
      expect(records[0]!.type).toBe(RecordType.handshake);
      const body = records[0]!.body;
      const sh = decodeServerHello(body);
      expect(sh.suite).toBe(0x00a8);
      expect(toHex(sh.random)).toBe('20cbbe3fc158efacc09c63246b7efcb99d21e402cb8b3eecf62936f304e0dd6d');
      expect(sh.keyShare).toBeUndefined();
      expect(sh.keyShareInfo).toBeUndefined();
      expect(toHex(body.subarray(body.length - 5))).toBe('0000000100');
      expect(toHex(encodeServerHello(sh))).toBe(toHex(body));
    });

    it('the response: the Finished decodes (32-byte verify_data) and re-encodes byte for byte', () => {
      const { records, plaintexts } = readPacket('autoauth-response-packet.hex');
      expect(records[1]!.type).toBe(RecordType.handshake);
      const fin = plaintexts[1]!;
      const verifyData = decodeFinished(fin);
      expect(toHex(verifyData)).toBe('3c5e8169a011633f5c3d74c1e5e63589551e3f4f5cb5067c313521e90472a564');
      expect(toHex(encodeFinished(verifyData))).toBe(toHex(fin));
    });

    it('the response: its application data is the business payload (begins bf), not a data part', () => {
      const { plaintexts } = readPacket('autoauth-response-packet.hex');
      expect(plaintexts[2]!.length).toBe(4170);
      expect(plaintexts[2]![0]).toBe(0xbf);
    });

    for (const [name] of packets) {
      it(`${name}: the closing alert decodes as end_of_data and re-encodes byte for byte`, () => {
        const { records, plaintexts } = readPacket(name);
        expect(records[3]!.type).toBe(RecordType.alert);
        expect(toHex(plaintexts[3]!)).toBe('00000003000101');
        expect(decodeAlert(plaintexts[3]!)).toEqual({ level: 0, name: 'end_of_data' });
        expect(toHex(encodeAlert('end_of_data'))).toBe(toHex(plaintexts[3]!));
      });
    }
  });

  describe(`RFC 8448 §3 through expand (${provider.name})`, () => {
    const v = loadVectors('tls13/rfc8448_sec3_key_schedule.json');
    const c = v.computed;
    const i = v.inputs;
    /** HKDF-Expand-Label's info (RFC 8446 §7.1) written as the raw bytes of an mmtls "label". */
    const labelInfo = (label: string, length: number, contextLength: number): string =>
      latin1(Uint8Array.of(length >>> 8, length & 0xff, 6 + label.length)) + `tls13 ${label}` + String.fromCharCode(contextLength);
    const emptyHash = sha256(new Uint8Array(0));

    it('the file\'s own HkdfLabel example is what labelInfo builds', () => {
      const e = v.hkdf_expand_label_info_example;
      expect(toHex(concat(ascii(labelInfo('c hs traffic', 32, 32)), hex(e.context)))).toBe(e.info);
    });

    it('the traffic secrets: expand(secret, raw label bytes, transcript hash, 32)', () => {
      const e = v.hkdf_expand_label_info_example;
      const info = hex(e.info);
      // the HkdfLabel prefix (ASCII bytes) as the label, the transcript hash as the hash
      expect(toHex(expand(provider, hex(c.handshake_secret), latin1(info.subarray(0, info.length - 32)), hex(e.context), 32))).toBe(c.c_hs_traffic);
      const cases: Array<[string, string, string, string]> = [
        ['handshake_secret', 's hs traffic', i.transcript_hash_CH_SH, 's_hs_traffic'],
        ['master_secret', 'c ap traffic', i.transcript_hash_CH_SF, 'c_ap_traffic'],
        ['master_secret', 's ap traffic', i.transcript_hash_CH_SF, 's_ap_traffic'],
        ['master_secret', 'exp master', i.transcript_hash_CH_SF, 'exp_master'],
        ['master_secret', 'res master', i.transcript_hash_CH_CF, 'res_master'],
        ['early_secret', 'derived', toHex(emptyHash), 'derived_for_handshake'],
        ['handshake_secret', 'derived', toHex(emptyHash), 'derived_for_master'],
      ];
      for (const [prk, label, hash, want] of cases) {
        expect(toHex(expand(provider, hex(c[prk]), labelInfo(label, 32, 32), hex(hash), 32)), want).toBe(c[want]);
      }
    });

    it('the traffic keys, IVs and finished keys: expand with no hash', () => {
      const cases: Array<[string, string, number, string]> = [
        ['c_hs_traffic', 'key', 16, 'c_hs_key'],
        ['c_hs_traffic', 'iv', 12, 'c_hs_iv'],
        ['s_hs_traffic', 'key', 16, 's_hs_key'],
        ['s_hs_traffic', 'iv', 12, 's_hs_iv'],
        ['c_ap_traffic', 'key', 16, 'c_ap_key'],
        ['c_ap_traffic', 'iv', 12, 'c_ap_iv'],
        ['s_ap_traffic', 'key', 16, 's_ap_key'],
        ['s_ap_traffic', 'iv', 12, 's_ap_iv'],
        ['s_hs_traffic', 'finished', 32, 's_hs_finished_key'],
        ['c_hs_traffic', 'finished', 32, 'c_hs_finished_key'],
      ];
      for (const [prk, label, length, want] of cases) {
        expect(toHex(expand(provider, hex(c[prk]), labelInfo(label, length, 0), undefined, length)), want).toBe(c[want]);
      }
    });

    it('the extract steps of the same schedule through the provider (the plumbing mmtls does not use)', () => {
      expect(toHex(provider.hkdfExtract('SHA-256', new Uint8Array(32), new Uint8Array(32)))).toBe(c.early_secret);
      expect(toHex(provider.hkdfExtract('SHA-256', hex(c.derived_for_handshake), hex(i.ecdhe_shared_secret)))).toBe(c.handshake_secret);
      expect(toHex(provider.hkdfExtract('SHA-256', hex(c.derived_for_master), new Uint8Array(32)))).toBe(c.master_secret);
    });
  });

  describe(`mmtls labels (spec §6) against @noble/hashes (${provider.name})`, () => {
    const nexpand = (prk: Uint8Array, label: string, hash: Uint8Array | undefined, length: number) =>
      nobleExpand(sha256, prk, hash ? concat(ascii(label), hash) : ascii(label), length);
    const split56 = (block: Uint8Array) => ({
      client: { key: toHex(block.subarray(0, 16)), iv: toHex(block.subarray(32, 44)) },
      server: { key: toHex(block.subarray(16, 32)), iv: toHex(block.subarray(44, 56)) },
    });
    const hexKeys = (k: { client: { key: Uint8Array; iv: Uint8Array }; server: { key: Uint8Array; iv: Uint8Array } }) => ({
      client: { key: toHex(k.client.key), iv: toHex(k.client.iv) },
      server: { key: toHex(k.server.key), iv: toHex(k.server.iv) },
    });

    it('handshakeKeys, resumptionSecrets, finishedData, applicationKeys, earlyDataKey, earlyResponseKey for 16 random inputs', () => {
      for (let n = 0; n < 16; n++) {
        const com = provider.randomBytes(32);
        const h1 = provider.randomBytes(32);
        const h2 = provider.randomBytes(32);
        const h3 = provider.randomBytes(32);
        expect(hexKeys(handshakeKeys(provider, com, h1))).toEqual(split56(nexpand(com, 'handshake key expansion', h1, 56)));
        const res = resumptionSecrets(provider, com, h2);
        expect(toHex(res.access)).toBe(toHex(nexpand(com, 'PSK_ACCESS', h2, 32)));
        expect(toHex(res.refresh)).toBe(toHex(nexpand(com, 'PSK_REFRESH', h2, 32)));
        expect(toHex(res.access)).not.toBe(toHex(res.refresh));
        expect(toHex(finishedData(provider, com, 'server', h3))).toBe(toHex(nobleHmac(sha256, nexpand(com, 'server finished', undefined, 32), h3)));
        expect(toHex(finishedData(provider, com, 'client', h3))).toBe(toHex(nobleHmac(sha256, nexpand(com, 'client finished', undefined, 32), h3)));
        const expanded = nexpand(com, 'expanded secret', h3, 32);
        expect(hexKeys(applicationKeys(provider, com, h3))).toEqual(split56(nexpand(expanded, 'application data key expansion', h3, 56)));
        const early = nexpand(com, 'early data key expansion', h1, 28);
        const e = earlyDataKey(provider, com, h1);
        expect({ key: toHex(e.key), iv: toHex(e.iv) }).toEqual({ key: toHex(early.subarray(0, 16)), iv: toHex(early.subarray(16, 28)) });
        const response = nexpand(com, 'handshake key expansion', h2, 28);
        const r = earlyResponseKey(provider, com, h2);
        expect({ key: toHex(r.key), iv: toHex(r.iv) }).toEqual({ key: toHex(response.subarray(0, 16)), iv: toHex(response.subarray(16, 28)) });
      }
    });

    it('expand: the inputs are not modified and the output has the asked length', () => {
      const prk = provider.randomBytes(32);
      const hash = provider.randomBytes(32);
      const [p, h] = [prk.slice(), hash.slice()];
      for (const length of [1, 12, 28, 32, 56, 255 * 32]) {
        const out = expand(provider, prk, 'x', hash, length);
        expect(out.length).toBe(length);
        expect(toHex(out)).toBe(toHex(nexpand(prk, 'x', hash, length)));
      }
      expect(toHex(prk)).toBe(toHex(p));
      expect(toHex(hash)).toBe(toHex(h));
    });

    it('Transcript.hash is SHA-256 of the concatenated messages, at every point', () => {
      const t = new Transcript(provider);
      const parts: Uint8Array[] = [];
      expect(toHex(t.hash())).toBe(toHex(sha256(new Uint8Array(0))));
      for (let n = 0; n < 5; n++) {
        const m = provider.randomBytes(1 + n * 37);
        t.add(m);
        parts.push(m);
        expect(toHex(t.hash())).toBe(toHex(sha256(concat(...parts))));
      }
    });

    it('extract is not part of the schedule: com is used as the PRK as it is', () => {
      const com = provider.randomBytes(32);
      const h = provider.randomBytes(32);
      const viaExtract = nexpand(nobleExtract(sha256, com), 'handshake key expansion', h, 56);
      expect(hexKeys(handshakeKeys(provider, com, h))).not.toEqual(split56(viaExtract));
    });
  });

  describe(`handshakes in memory, checked record by record with @noble/* (${provider.name})`, () => {
    /** Opens the records of one direction with an independent AES-128-GCM (spec §4.2). */
    function opener(key: Uint8Array, iv: Uint8Array) {
      return (record: MmtlsRecord, seq: number): Uint8Array => {
        const nonce = ivFromNonce(iv, seq);
        const aad = concat(new Uint8Array(4), Uint8Array.of(seq >>> 24, seq >>> 16, seq >>> 8, seq), record.header);
        return gcm(key, nonce, aad).decrypt(record.body);
      };
    }
    const H = (...messages: Uint8Array[]) => sha256(concat(...messages));
    const nexpand = (prk: Uint8Array, label: string, hash: Uint8Array | undefined, length: number) =>
      nobleExpand(sha256, prk, hash ? concat(ascii(label), hash) : ascii(label), length);
    const block = (b: Uint8Array) => ({
      client: { key: b.slice(0, 16), iv: b.slice(32, 44) },
      server: { key: b.slice(16, 32), iv: b.slice(44, 56) },
    });
    const records = (chunks: Uint8Array[]) => splitRecords(concat(...chunks));

    async function fullHandshake(base: CryptoProvider) {
      const { provider: p, keyPairs } = capturingProvider(base);
      const setup = serverSetup(p);
      const pair = makePair(p, setup);
      const wire: Wire = { toServer: [], toClient: [] };
      pair.client.conn.start('1rtt-ecdhe');
      await recordingPump(pair.client, pair.server, wire);
      pair.client.conn.sendApplicationData(ascii('ping'));
      await recordingPump(pair.client, pair.server, wire);
      pair.server.conn.sendApplicationData(ascii('pong'));
      await recordingPump(pair.client, pair.server, wire);
      return { p, setup, pair, wire, keyPairs };
    }

    it('1-RTT ECDHE (spec §7.1): every record, the signature and both Finished messages', async () => {
      const { setup, pair, wire, keyPairs } = await fullHandshake(provider);
      const c2s = records(wire.toServer);
      const s2c = records(wire.toClient);
      expect(c2s.map((r) => r.type)).toEqual([0x16, 0x16, 0x17]);
      expect(s2c.map((r) => r.type)).toEqual([0x16, 0x16, 0x16, 0x16, 0x17]);

      const CH = c2s[0]!.body;
      const SH = s2c[0]!.body;
      const ch = decodeClientHello(CH);
      const sh = decodeServerHello(SH);
      expect(ch.suites).toEqual([CipherSuite.ecdhe]);
      expect(ch.keyShares!.length).toBe(2);
      expect(new Set(ch.keyShares!.map((k) => k.index)).size).toBe(2);
      expect(ch.keyShares!.every((k) => k.point.length === 65 && k.point[0] === 4)).toBe(true);
      expect(toHex(ch.keyShareTrailer!)).toBe('00000000020000000300000004');
      expect(sh.suite).toBe(CipherSuite.ecdhe);
      expect(sh.keyShare!.index).toBe(ch.keyShares![0]!.index);
      expect(toHex(sh.keyShareInfo!)).toBe('0000000100000003');
      // the captured key pairs: the client's two shares and the server's ephemeral key
      expect(keyPairs.length).toBe(3);
      const clientPair = keyPairs.find((k) => toHex(k.publicKey) === toHex(ch.keyShares![0]!.point))!;
      const serverPair = keyPairs.find((k) => toHex(k.publicKey) === toHex(sh.keyShare!.point))!;
      expect(clientPair).toBeDefined();
      expect(serverPair).toBeDefined();
      const x = nobleP256.getSharedSecret(clientPair.secretKey, sh.keyShare!.point, true).slice(1);
      expect(toHex(nobleP256.getSharedSecret(serverPair.secretKey, ch.keyShares![0]!.point, true).slice(1))).toBe(toHex(x));
      const com = sha256(x);

      const hs = block(nexpand(com, 'handshake key expansion', H(CH, SH), 56));
      const fromServer = opener(hs.server.key, hs.server.iv);
      const CV = fromServer(s2c[1]!, 1);
      const NST = fromServer(s2c[2]!, 2);
      const SF = fromServer(s2c[3]!, 3);
      // CertificateVerify: ECDSA-SHA256 over SHA256(CH ‖ SH), checked with the pinned key
      const der = decodeCertificateVerify(CV);
      expect(nobleP256.verify(der, H(CH, SH), verifyKeyOf(setup), { format: 'der', lowS: false })).toBe(true);
      // NewSessionTicket: access then refresh, lifetimes and age_add as spec §5.5
      const tickets = decodeNewSessionTicket(NST);
      expect(tickets.map((t) => [t.type, t.lifetime, t.ageAdd.length, t.unknown, t.nonce.length])).toEqual([
        [1, 604800, 0, 0x48, 12],
        [2, 2592000, 32, 0x48, 12],
      ]);
      const h4 = H(CH, SH, CV, NST);
      expect(toHex(decodeFinished(SF))).toBe(toHex(nobleHmac(sha256, nexpand(com, 'server finished', undefined, 32), h4)));
      const CF = opener(hs.client.key, hs.client.iv)(c2s[1]!, 1);
      expect(toHex(decodeFinished(CF))).toBe(toHex(nobleHmac(sha256, nexpand(com, 'client finished', undefined, 32), h4)));
      // the client keeps PSK_ACCESS / PSK_REFRESH over H(CH ‖ SH ‖ CV) with the tickets
      expect(toHex(pair.tickets.access!.psk)).toBe(toHex(nexpand(com, 'PSK_ACCESS', H(CH, SH, CV), 32)));
      expect(toHex(pair.tickets.refresh!.psk)).toBe(toHex(nexpand(com, 'PSK_REFRESH', H(CH, SH, CV), 32)));
      expect(toHex(pair.tickets.access!.ticket.ticket)).toBe(toHex(tickets[0]!.ticket));
      // application data under the application keys, sequence numbers carried on (2 and 4)
      const app = block(nexpand(nexpand(com, 'expanded secret', h4, 32), 'application data key expansion', h4, 56));
      expect(latin1(opener(app.client.key, app.client.iv)(c2s[2]!, 2))).toBe('ping');
      expect(latin1(opener(app.server.key, app.server.iv)(s2c[4]!, 4))).toBe('pong');
    });

    it('0-RTT PSK (spec §7.2) with the access ticket of a 1-RTT handshake: early key, response key, Finished', async () => {
      const { p, setup, pair } = await fullHandshake(provider);
      const pskAccess = pair.tickets.access!.psk.slice();
      const early = makePair(p, setup, pair.tickets);
      const wire: Wire = { toServer: [], toClient: [] };
      early.client.conn.start('0rtt-psk');
      early.client.conn.sendApplicationData(ascii('request'));
      early.client.conn.sendEnd();
      await recordingPump(early.client, early.server, wire);
      early.server.conn.sendApplicationData(ascii('response'));
      early.server.conn.sendEnd();
      await recordingPump(early.client, early.server, wire);
      expect(early.client.conn.mode).toBe('0rtt-psk');

      const req = records(wire.toServer);
      const res = records(wire.toClient);
      expect(req.map((r) => r.type)).toEqual([0x19, 0x19, 0x17, 0x15]);
      expect(res.map((r) => r.type)).toEqual([0x16, 0x16, 0x17, 0x15]);
      const CH0 = req[0]!.body;
      const ch = decodeClientHello(CH0);
      expect(ch.suites).toEqual([CipherSuite.psk]);
      expect(ch.psk!.type).toBe(TicketType.access);
      expect(ch.psk!.ageAdd.length).toBe(0);
      const e = nexpand(pskAccess, 'early data key expansion', H(CH0), 28);
      const fromClient = opener(e.subarray(0, 16), e.subarray(16, 28));
      const EE = fromClient(req[1]!, 1);
      expect(decodeEncryptedExtensions(EE)).toBe(ch.timestamp);
      expect(latin1(fromClient(req[2]!, 2))).toBe('request');
      expect(toHex(fromClient(req[3]!, 3))).toBe('00000003000101');
      const SH0 = res[0]!.body;
      expect(toHex(SH0.subarray(SH0.length - 5))).toBe('0000000100');
      const h = H(CH0, EE, SH0);
      const r = nexpand(pskAccess, 'handshake key expansion', h, 28);
      const fromServer = opener(r.subarray(0, 16), r.subarray(16, 28));
      expect(toHex(decodeFinished(fromServer(res[1]!, 1)))).toBe(toHex(nobleHmac(sha256, nexpand(pskAccess, 'server finished', undefined, 32), h)));
      expect(latin1(fromServer(res[2]!, 2))).toBe('response');
      expect(toHex(fromServer(res[3]!, 3))).toBe('00000003000101');
    });

    it('1-RTT PSK (designed, §9.2 and key-schedule.ts): com = PSK_REFRESH, the transcript without CV', async () => {
      const { p, setup, pair } = await fullHandshake(provider);
      const pskRefresh = pair.tickets.refresh!.psk.slice();
      const resumed = makePair(p, setup, pair.tickets);
      const wire: Wire = { toServer: [], toClient: [] };
      resumed.client.conn.start('1rtt-psk');
      await recordingPump(resumed.client, resumed.server, wire);
      expect(resumed.client.conn.mode).toBe('1rtt-psk');
      const c2s = records(wire.toServer);
      const s2c = records(wire.toClient);
      expect(c2s.map((r) => r.type)).toEqual([0x16, 0x16]);
      expect(s2c.map((r) => r.type)).toEqual([0x16, 0x16, 0x16]);
      const CH = c2s[0]!.body;
      const SH = s2c[0]!.body;
      expect(decodeClientHello(CH).psk!.type).toBe(TicketType.refresh);
      expect(decodeServerHello(SH).suite).toBe(CipherSuite.psk);
      const hs = block(nexpand(pskRefresh, 'handshake key expansion', H(CH, SH), 56));
      const NST = opener(hs.server.key, hs.server.iv)(s2c[1]!, 1);
      const SF = opener(hs.server.key, hs.server.iv)(s2c[2]!, 2);
      const h3 = H(CH, SH, NST);
      expect(toHex(decodeFinished(SF))).toBe(toHex(nobleHmac(sha256, nexpand(pskRefresh, 'server finished', undefined, 32), h3)));
      const CF = opener(hs.client.key, hs.client.iv)(c2s[1]!, 1);
      expect(toHex(decodeFinished(CF))).toBe(toHex(nobleHmac(sha256, nexpand(pskRefresh, 'client finished', undefined, 32), h3)));
      expect(toHex(resumed.tickets.access!.psk)).toBe(toHex(nexpand(pskRefresh, 'PSK_ACCESS', H(CH, SH), 32)));
    });
  });
});
