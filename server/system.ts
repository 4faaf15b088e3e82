/**
 * Wires the whole service: config → store → chain → keys → bootstrap → anchoring worker → app.
 * main.ts listens; tests start a system the same way.
 */
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import type { Server } from "node:http";
import type { Logger } from "pino";
import type { Config } from "./config";
import { openStore, type Store } from "./store/database";
import { getSetting } from "./store/settings";
import { openChain, type ChainHandle } from "./chain-setup";
import { registryInterface } from "./chain";
import { SignerSet, loadKeystore } from "./anchoring/signers";
import { AnchorWorker } from "./anchoring/worker";
import { undoRefusedMark } from "./lifecycle/undo";
import { armCrash } from "./observability/crash";
import { releaseLeases } from "./anchoring/lease";
import { bootstrapDemo, ensureRegistry, loadDemoSigners, type DemoCredentials } from "./registry/demo-bootstrap";
import { KeyResolver } from "./registry/api-keys";
import { invoiceRoutes } from "./issuance/routes";
import { envelopeOf } from "./issuance/bills-repo";
import { verifyUrlOf } from "./issuance/present";
import { sealKeyOf } from "./sm/sm2";
import { OFD_RENDERER } from "./ofd/version";
import { buildApp } from "./app";
import { bureauAreas, type AreaDeps } from "./registry/areas";
import { lifecycleAreas } from "./lifecycle/areas";
import { instrumentRpc, metrics, metricsRoute, pendingOutbox, readiness } from "./observability";
import { docsRoutes } from "./openapi/docs-page";
import { sendCopy } from "./verification/copies";
import { chainView, holderRoutes, verificationRoutes } from "./verification";
// the pool and the renderer's version, not ./pdf: pdfkit and the font load only in the PDF worker threads
import { PdfPoolBusyError, PdfRenderPool } from "./render/pool";
import { PdfParsePool } from "./pdf/parse-pool";
import { MarksWatch, providerMarkEvents } from "./verification/marks-watch";
import { RENDERER } from "./pdf/document";
import { recordDelivered } from "./store/delivered-files";
import { ApiError } from "./http/errors";
import { PostgresRateLimitStore } from "./http/rate-limit";
import { privateFile, writePrivateFile } from "./store/private-file";
import type { BillRow } from "./store/schema";
import { WebhookWorker } from "./webhooks/worker";
import { SecretBox } from "./webhooks/secrets";
import { webhookRoutes } from "./webhooks/routes";

export interface System {
  cfg: Config;
  store: Store;
  chain: ChainHandle;
  registry: string;
  worker: AnchorWorker;
  webhooks: WebhookWorker;
  app: ReturnType<typeof buildApp>;
  demo: DemoCredentials | null;
  stop(): Promise<void>;
}

/** Dev chains only: a generated webhook secret key kept beside the data, so restarts can still sign. */
function devWebhookKey(dataDir: string): string {
  const file = path.join(dataDir, "webhook-secret-key");
  if (!fs.existsSync(file)) writePrivateFile(file, crypto.randomBytes(32).toString("hex"));
  else privateFile(file);
  return fs.readFileSync(file, "utf8").trim();
}

/** Dev chains only: a generated keystore password kept beside the data, so restarts unlock it. */
function devKeystorePassword(dataDir: string): string {
  const file = path.join(dataDir, "keystore-password");
  if (!fs.existsSync(file)) writePrivateFile(file, crypto.randomBytes(24).toString("base64url"));
  else privateFile(file);
  return fs.readFileSync(file, "utf8").trim();
}

async function resolveRegistry(cfg: Config, store: Store, chain: ChainHandle, log: Logger): Promise<string> {
  if (cfg.chainMode !== "external") return ensureRegistry(store.db, chain.provider, log);
  const address = cfg.registryAddress as string;
  if ((await chain.provider.getCode(address)) === "0x") throw new Error(`REGISTRY_ADDRESS: no contract at ${address} on chain ${chain.chainId}`);
  const known = await getSetting(store.db, "registry_address");
  if (known && known.toLowerCase() !== address.toLowerCase()) throw new Error(`REGISTRY_ADDRESS: the store's bills are anchored on ${known}, not ${address}`);
  return address;
}

export async function startSystem(cfg: Config, log: Logger): Promise<System> {
  armCrash(cfg.crashAt);
  for (const notice of cfg.notices) log.warn(notice);
  const store = await openStore({ databaseUrl: cfg.databaseUrl, sqlitePath: cfg.sqlitePath });
  const chain = await openChain(cfg, log).catch(async (err) => {
    await store.close();
    throw err;
  });
  const m = metrics();
  instrumentRpc(chain.provider, m);
  m.watchPending(() => pendingOutbox(store.db));
  let marksWatch: MarksWatch | undefined;
  try {
    const registry = await resolveRegistry(cfg, store, chain, log);
    const signers = new SignerSet();
    const dev = cfg.chainMode !== "external";
    if (dev) loadDemoSigners(signers);
    for (const k of cfg.signerPrivateKeys) signers.add(new (await import("ethers")).Wallet(k));
    const password = cfg.keystorePassword ?? (dev ? devKeystorePassword(cfg.dataDir) : undefined);
    await loadKeystore(store.db, signers, password);
    const demo = dev
      ? await bootstrapDemo({
          db: store.db,
          provider: chain.provider,
          registry,
          dataDir: cfg.dataDir,
          rpcUrl: chain.rpcUrl,
          chainId: chain.chainId,
          baseUrl: cfg.publicBaseUrl,
        })
      : null;
    const domain = { chainId: chain.chainId, verifyingContract: registry };
    const worker = new AnchorWorker({
      db: store.db,
      provider: chain.provider,
      iface: registryInterface(),
      registry,
      chainId: BigInt(chain.chainId),
      signers,
      log,
      instanceId: cfg.instanceId,
      policy: { maxSize: cfg.batchMaxSize, maxAgeMs: cfg.batchMaxAgeMs },
      confirmations: cfg.confirmations,
      pollMs: cfg.anchorPollMs,
      bumpAfterMs: cfg.txBumpAfterMs,
      metrics: m,
      onMarkRefused: (mark) => undoRefusedMark(store.db, mark),
      onConfirmed: () => webhooks.wake(),
    });
    const keys = new KeyResolver(store.db);
    // One limit per client for the whole deployment: replicas on one PostgreSQL count together.
    const limits =
      store.dialect === "postgres" ? new PostgresRateLimitStore(store.db, 60_000, (err) => log.warn({ err }, "rate-limit sweep failed")) : undefined;
    const webhookKey = cfg.webhooks.secretKey ?? (dev ? devWebhookKey(cfg.dataDir) : undefined);
    const webhooks = new WebhookWorker({
      db: store.db,
      box: webhookKey ? SecretBox.fromText(webhookKey) : null,
      log,
      instanceId: cfg.instanceId,
      ...cfg.webhooks,
    });
    const onIssued = () => {
      m.billIssued();
      worker.wake();
      webhooks.wake();
    };
    const head = async () => chain.provider.getBlockNumber().catch(() => null);
    // PDFs render in worker threads: pdfkit is synchronous CPU work that would stall every request.
    const pdfPool = new PdfRenderPool();
    // uploads are read in their own workers, so a crafted file neither blocks requests nor delays renders
    const parsePool = new PdfParsePool();
    const renderPdf = async (bill: BillRow) => {
      const envelope = await envelopeOf(store.db, bill, { chainId: chain.chainId, registry });
      const pdf = await pdfPool.render(envelope, { verifyUrl: verifyUrlOf(cfg.publicBaseUrl, bill) }).catch((err) => {
        throw err instanceof PdfPoolBusyError ? new ApiError("SERVICE_BUSY", "Too many PDFs are rendering; retry shortly", { retryAfter: 1 }) : err;
      });
      // every file delivered is recorded before it leaves: its upload is then recognised without a re-render
      await recordDelivered(store.db, bill.id, pdf, RENDERER);
      return pdf;
    };
    // OFD files render in the same worker threads, signed there with the issuer's SM2 seal key
    const renderOfd = async (bill: BillRow) => {
      const envelope = await envelopeOf(store.db, bill, { chainId: chain.chainId, registry });
      const sealKey = sealKeyOf(signers.get(envelope.bill.issuer.account).privateKey);
      const ofd = await pdfPool.renderOfd(envelope, { verifyUrl: verifyUrlOf(cfg.publicBaseUrl, bill) }, { sealKey }).catch((err) => {
        throw err instanceof PdfPoolBusyError ? new ApiError("SERVICE_BUSY", "Too many files are rendering; retry shortly", { retryAfter: 1 }) : err;
      });
      // recorded like a PDF: its upload is recognised without a re-render, also after a renderer change
      await recordDelivered(store.db, bill.id, ofd, OFD_RENDERER);
      return ofd;
    };
    const areaDeps: AreaDeps = {
      db: store.db,
      provider: chain.provider,
      registry,
      signers,
      keys,
      domain,
      baseUrl: cfg.publicBaseUrl,
      confirmations: cfg.confirmations,
      devChain: dev,
      keystorePassword: password,
      wake: () => (worker.wake(), webhooks.wake()),
      retryHeld: () => worker.retryHeld(),
      rpcTimeoutMs: cfg.rpcTimeoutMs,
      head,
      limits,
      markFailuresPerMin: cfg.reimbursementFailuresPerMin,
    };
    const areas = bureauAreas(areaDeps);
    // Public verification: QR page, PDF upload, manual check; the chain is the witness, the store adds voids not yet mined.
    // bills' marks are re-read from the chain only when a registry event names them (marks-watch.ts)
    marksWatch = new MarksWatch({ head: () => chain.provider.getBlockNumber(), markEvents: providerMarkEvents(chain.provider, registry) });
    marksWatch.start();
    const verification = verificationRoutes({
      db: store.db,
      chain: chainView(chain.provider, registry, chain.chainId, cfg.rpcTimeoutMs),
      minConfirmations: cfg.confirmations,
      ratePerMin: cfg.verifyRatePerMin,
      limits,
      publicBaseUrl: cfg.publicBaseUrl,
      renderPdf: (e, o) => pdfPool.render(e, o),
      parser: parsePool,
      marksWatch,
      renderOfd,
      renderOfdWith: (e, verifyUrl, signedValue) => pdfPool.renderOfd(e, { verifyUrl }, { signedValue }),
    });
    const watch = marksWatch;
    const app = buildApp({
      log,
      keys,
      api: {
        "/invoices": invoiceRoutes({
          db: store.db,
          signers,
          domain,
          onIssued,
          baseUrl: cfg.publicBaseUrl,
          head,
          renderPdf,
          sendCopy: (res, bill, names, format) =>
            sendCopy(
              { db: store.db, chain: { chainId: chain.chainId, registry }, baseUrl: cfg.publicBaseUrl, render: (e, o) => pdfPool.render(e, o) },
              res,
              bill,
              names,
              format,
            ),
          renderOfd,
          chain: { chainId: chain.chainId, registry },
        }),
        "/verify": verification.api,
        ...areas.api,
        ...lifecycleAreas(areaDeps),
        "/webhooks": webhookRoutes({ db: store.db, box: webhookKey ? SecretBox.fromText(webhookKey) : null, worker: webhooks }),
      },
      pages: [
        docsRoutes(cfg.publicBaseUrl),
        verification.page,
        holderRoutes({ db: store.db, core: verification.core, publicBaseUrl: cfg.publicBaseUrl, ofd: true }),
        ...areas.pages,
      ],
      authFailuresPerMin: cfg.authFailuresPerMin,
      limits,
      trustProxy: cfg.trustProxy,
      ready: () => readiness({ db: store.db, provider: chain.provider, worker, timeoutMs: cfg.readyTimeoutMs }),
      metrics: metricsRoute(m, cfg.metricsToken, cfg.metricsAccess),
    });
    worker.start();
    webhooks.start();
    return {
      cfg,
      store,
      chain,
      registry,
      worker,
      webhooks,
      app,
      demo,
      stop: async () => {
        await worker.stop();
        await webhooks.stop();
        await pdfPool.close();
        await parsePool.close();
        watch.stop();
        await releaseLeases(store.db, cfg.instanceId).catch(() => undefined);
        await chain.close();
        await store.close();
      },
    };
  } catch (err) {
    marksWatch?.stop();
    await chain.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}

export function listen(sys: System): Promise<Server> {
  return new Promise((resolve) => {
    const server = sys.app.listen(sys.cfg.port, sys.cfg.host, () => resolve(server));
  });
}
