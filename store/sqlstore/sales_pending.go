package sqlstore

import "github.com/crmkit/crm"

// Placeholders until the sales repositories land in this adapter; this
// file goes with them. Nothing calls them yet.
type (
	pendingPipelines  struct{ crm.PipelineRepository }
	pendingDeals      struct{ crm.DealRepository }
	pendingActivities struct{ crm.ActivityRepository }
	pendingCampaigns  struct{ crm.CampaignRepository }
	pendingSales      struct{ crm.SalesAnalytics }
)

func (r readTx) Pipelines() crm.PipelineReader       { return pendingPipelines{} }
func (r readTx) Deals() crm.DealReader               { return pendingDeals{} }
func (r readTx) Activities() crm.ActivityReader      { return pendingActivities{} }
func (r readTx) Campaigns() crm.CampaignReader       { return pendingCampaigns{} }
func (r readTx) Sales() crm.SalesAnalytics           { return pendingSales{} }
func (w writeTx) Pipelines() crm.PipelineRepository  { return pendingPipelines{} }
func (w writeTx) Deals() crm.DealRepository          { return pendingDeals{} }
func (w writeTx) Activities() crm.ActivityRepository { return pendingActivities{} }
func (w writeTx) Campaigns() crm.CampaignRepository  { return pendingCampaigns{} }
func (w writeTx) Sales() crm.SalesAnalytics          { return pendingSales{} }
