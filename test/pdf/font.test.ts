import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { FontDecodeError, fontBuffer, hasGlyphs, sfntChecksum, woffToSfnt } from "../../server/pdf/font";

const woffPath = join(dirname(require.resolve("@fontsource/noto-sans-sc/package.json")), "files", "noto-sans-sc-latin-400-normal.woff");

function tables(sfnt: Buffer): { tag: string; checksum: number; offset: number; length: number }[] {
  const n = sfnt.readUInt16BE(4);
  return Array.from({ length: n }, (_, i) => {
    const at = 12 + i * 16;
    return {
      tag: sfnt.toString("latin1", at, at + 4),
      checksum: sfnt.readUInt32BE(at + 4),
      offset: sfnt.readUInt32BE(at + 8),
      length: sfnt.readUInt32BE(at + 12),
    };
  });
}

describe("the bill font (WOFF 1.0 decoded to OpenType)", () => {
  it("rebuilds an sfnt whose table checksums, alignment and whole-font checksum are right", () => {
    const sfnt = woffToSfnt(readFileSync(woffPath));
    const dir = tables(sfnt);
    expect(dir.map((t) => t.tag)).to.include.members(["cmap", "glyf", "head", "loca"]);
    expect(dir.map((t) => t.tag)).to.deep.equal([...dir.map((t) => t.tag)].sort());
    for (const t of dir) {
      expect(t.offset % 4, t.tag).to.equal(0);
      const data = Buffer.from(sfnt.subarray(t.offset, t.offset + t.length));
      if (t.tag === "head") data.writeUInt32BE(0, 8);
      expect(sfntChecksum(data), t.tag).to.equal(t.checksum);
    }
    expect(sfntChecksum(sfnt)).to.equal(0xb1b0afba);
  });

  it("keeps the table data of the WOFF's original font (its recorded checksums match)", () => {
    const woff = readFileSync(woffPath);
    const sfnt = woffToSfnt(woff);
    const recorded = new Map<string, number>();
    for (let i = 0; i < woff.readUInt16BE(12); i++) recorded.set(woff.toString("latin1", 44 + i * 20, 48 + i * 20), woff.readUInt32BE(44 + i * 20 + 16));
    for (const t of tables(sfnt)) if (t.tag !== "head") expect(t.checksum, t.tag).to.equal(recorded.get(t.tag));
  });

  it("refuses data that is not WOFF, and a truncated WOFF", () => {
    expect(() => woffToSfnt(Buffer.from("OTTO not a woff at all, certainly not 44 bytes long"))).to.throw(FontDecodeError);
    const woff = readFileSync(woffPath);
    expect(() => woffToSfnt(woff.subarray(0, 2000))).to.throw(FontDecodeError);
  });

  it("decodes the Chinese font once and shares it", () => {
    expect(fontBuffer("regular")).to.equal(fontBuffer("regular"));
    expect(fontBuffer("bold")).to.not.equal(fontBuffer("regular"));
  });

  it("covers the bill vocabulary, Latin digits and letters included", () => {
    const vocabulary =
      "医疗收费电子票据公益事业捐赠统一票据交款人壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整床位费诊察费检查费化验费治疗费手术费护理费卫生材料费西药费中药饮片费中成药费一般诊疗费挂号费其他费城镇职工基本医疗保险城乡居民自费";
    expect(hasGlyphs(vocabulary)).to.equal(true);
    expect(hasGlyphs("0123456789 ABCXYZ abcxyz ¥.,:/()-")).to.equal(true);
    expect(hasGlyphs(vocabulary, "bold")).to.equal(true);
  });
});
