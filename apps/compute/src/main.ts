import './instrument';
import { runConsumer } from '@switchyard/consumer';

void runConsumer({ service: 'compute', defaultLane: 'cpu', defaultHealthPort: 3002 });
