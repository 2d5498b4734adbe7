// Integration and e2e tests wait on real servers and real delays.
jest.setTimeout(60_000);
