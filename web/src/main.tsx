import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Flows } from './flows.js';
import { Policies } from './policies.js';
import { Probes } from './probes.js';
import { ServiceMap } from './service-map.js';
import { href, navigate, readLocation, VIEWS } from './url-state.js';
import { useJson } from './use-json.js';
import './style.css';

function App() {
  const [location, setLocation] = useState(readLocation());
  useEffect(() => {
    const update = (): void => setLocation(readLocation());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  useEffect(() => {
    document.title = `flowlens · ${VIEWS.find((view) => view.id === location.view)?.title ?? ''}`;
  }, [location.view]);
  return (
    <>
      <header>
        <h1>flowlens</h1>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((view) => (
              <li key={view.id}>
                <a
                  href={href(view.id)}
                  aria-current={location.view === view.id ? 'page' : undefined}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate(view.id);
                  }}
                >
                  {view.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <Missing view={location.view} />
      <main>
        {location.view === 'flows' && <Flows params={location.params} />}
        {location.view === 'map' && <ServiceMap params={location.params} />}
        {location.view === 'policies' && <Policies params={location.params} />}
        {location.view === 'probes' && <Probes params={location.params} />}
      </main>
    </>
  );
}

/** What a view needs that this agent does not run, said once instead of an empty view. */
function Missing({ view }: { view: string }) {
  const { data } = useJson<{ running: { flows: boolean; probes: boolean; accounting: boolean } }>('/api/v1/status', 30_000);
  if (data === undefined) return null;
  const { flows, probes } = data.running;
  const text =
    (view === 'flows' || view === 'map') && !flows
      ? 'No flow source runs on this agent: enable goldmane or collector to see flows here.'
      : view === 'policies' && !flows && !data.running.accounting
        ? 'Neither a flow source nor policy accounting runs on this agent.'
        : view === 'probes' && !probes
          ? 'The probes component does not run on this agent.'
          : undefined;
  return text === undefined ? null : (
    <p class="notice" role="note">
      {text}
    </p>
  );
}

render(<App />, document.getElementById('app')!);
