/**
 * @peculiar/x509, loaded the one way that works: its dependency tsyringe needs the Reflect metadata API, so
 * `reflect-metadata` is evaluated first (ES modules evaluate imports in order). Import X.509 from here only.
 */
import "reflect-metadata";

export * from "@peculiar/x509";
