/**
 * The exact output format of the OFD renderer (server/ofd/package.ts): one envelope and link give one
 * sequence of bytes under one version. Bump it whenever the bytes change (test/ofd/golden.test.ts).
 * Its own module so that the verifier can name it without loading the renderer (and pdfkit).
 */
export const OFD_RENDERER = "lianpiao-ofd/1";
